// Entry of the touch terminal app.
import { render } from 'preact'
import { Idle } from './pages/Idle/index.tsx'

render(<Idle />, document.getElementById('app')!)
