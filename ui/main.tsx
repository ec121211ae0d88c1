/** @module The browser UI's entry: signs in from the stored token, then shows the app. */
import { render } from 'preact'
import { App } from './app.tsx'

render(<App />, document.getElementById('app')!)
