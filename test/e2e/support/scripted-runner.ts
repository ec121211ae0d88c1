/** @module The real `loom-runner` main with the scripted adapter as its only provider (see scripted-adapter.ts). */
import { runMain } from '../../../runner/main.ts'
import { scriptedAdapter } from './scripted-adapter.ts'

process.exit(await runMain(process.argv.slice(2), () => new Map([['codex', scriptedAdapter()]])))
