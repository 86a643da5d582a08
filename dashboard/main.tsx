// Entry of the supervisor and province dashboard.
import { render } from 'preact'
import { Overview } from './pages/Overview/index.tsx'

render(<Overview />, document.getElementById('app')!)
