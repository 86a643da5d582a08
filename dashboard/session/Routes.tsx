// The dashboard's pages by path; an unknown path shows the overview.
import { Route, Router } from 'preact-iso'
import { Admin } from '../pages/Admin/index.tsx'
import { Alerts } from '../pages/Alerts/index.tsx'
import { Cases } from '../pages/Cases/index.tsx'
import { Live } from '../pages/Live/index.tsx'
import { OfficerPage } from '../pages/Officer/index.tsx'
import { Officers } from '../pages/Officers/index.tsx'
import { Overview } from '../pages/Overview/index.tsx'
import { Province } from '../pages/Province/index.tsx'
import { Report } from '../pages/Report/index.tsx'

export function Routes () {
  return (
    <Router>
      <Route path='/' component={Overview} />
      <Route path='/live' component={Live} />
      <Route path='/officers' component={Officers} />
      <Route path='/officers/:id' component={OfficerPage} />
      <Route path='/cases' component={Cases} />
      <Route path='/alerts' component={Alerts} />
      <Route path='/province' component={Province} />
      <Route path='/report' component={Report} />
      <Route path='/admin' component={Admin} />
      <Route default component={Overview} />
    </Router>
  )
}
