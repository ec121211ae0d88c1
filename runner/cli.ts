#!/usr/bin/env node
/**
 * @module The `loom-runner` executable (Node 22): serves one workspace's threads with the
 * adapters registered in runner/adapters/registry.ts. See `loom-runner --help`.
 */
import { defaultAdapters } from './adapters/registry.ts'
import { runMain } from './main.ts'

const code = await runMain(process.argv.slice(2), defaultAdapters)
// Provider clients may leave handles open; the runner has already closed what it owns.
process.exit(code)
