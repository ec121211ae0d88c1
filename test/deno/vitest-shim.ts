/**
 * @module The part of vitest's API the `src/` unit suites use, on `Deno.test`, so the same test
 * files run under `deno test` unchanged (deno.json maps `vitest` here). `expect` is vitest's own
 * (chai with its jest plugins from `@vitest/expect`), spies come from `@vitest/spy`; only
 * describe/it and the hooks are ours. jsr: (Deno's std) is not reachable here, npm is.
 */
import { ASYMMETRIC_MATCHERS_OBJECT, JestAsymmetricMatchers, JestChaiExpect, JestExtend, chai, setState } from '@vitest/expect'
import type { ExpectStatic } from '@vitest/expect'
import type { TestAPI, SuiteAPI } from '@vitest/runner'
import * as spy from '@vitest/spy'

declare const Deno: { test(name: string, fn: () => unknown): void }

chai.use(JestExtend)
chai.use(JestChaiExpect)
chai.use(JestAsymmetricMatchers)

const baseExpect = (value: unknown, message?: string) => chai.expect(value, message)
Object.assign(baseExpect, chai.expect)
Object.assign(baseExpect, (globalThis as Record<PropertyKey, unknown>)[ASYMMETRIC_MATCHERS_OBJECT])
setState({ assertionCalls: 0, isExpectingAssertions: false, isExpectingAssertionsError: null, expectedAssertionsNumber: null, expectedAssertionsNumberErrorGen: null }, baseExpect as never)
export const expect = baseExpect as unknown as ExpectStatic

type Hook = () => unknown
type Scope = {
  name: string
  beforeEach: Hook[]
  afterEach: Hook[]
  beforeAll: Hook[]
  afterAll: Hook[]
  /** Tests registered in this scope and below; afterAll runs after the last of them. */
  tests: number
  started: boolean
  finished: number
  parent: Scope | null
}
const newScope = (name: string, parent: Scope | null): Scope => ({ name, beforeEach: [], afterEach: [], beforeAll: [], afterAll: [], tests: 0, started: false, finished: 0, parent })
let scope: Scope = newScope('', null)

const chain = (s: Scope): Scope[] => (s.parent ? [...chain(s.parent), s] : [s])

const describeImpl = (name: string, body: () => void): void => {
  const parent = scope
  scope = newScope(name, parent)
  try {
    body()
  } finally {
    scope = parent
  }
}

/** `%s`, `%i`, `%d`, `%j`, `%o` in an `each` title, as vitest formats them (enough of it). */
const title = (template: string, args: unknown[]): string => {
  let i = 0
  return template.replace(/%[sdijo%]/g, (token) => {
    if (token === '%%') return '%'
    const value = args[i++]
    return token === '%j' || token === '%o' ? JSON.stringify(value) : String(value)
  })
}

type TestFn = (...args: never[]) => unknown
const register = (name: string, fn: TestFn): void => {
  const scopes = chain(scope)
  for (const s of scopes) s.tests++
  const fullName = scopes.map((s) => s.name).filter(Boolean).concat(name).join(' > ')
  // Deno runs a file's tests in registration order, one at a time, so "first" and "last" are well defined.
  Deno.test(fullName, async () => {
    for (const s of scopes) {
      if (s.started) continue
      s.started = true
      for (const hook of s.beforeAll) await hook()
    }
    try {
      for (const s of scopes) for (const hook of s.beforeEach) await hook()
      try {
        await (fn as () => unknown)()
      } finally {
        for (const s of [...scopes].reverse()) for (const hook of s.afterEach) await hook()
      }
    } finally {
      for (const s of [...scopes].reverse()) {
        if (++s.finished === s.tests) for (const hook of s.afterAll) await hook()
      }
    }
  })
}

const each = (cases: readonly unknown[]) => (template: string, fn: (...args: never[]) => unknown) => {
  for (const row of cases) {
    const args = Array.isArray(row) ? row : [row]
    register(title(template, args), () => (fn as (...a: unknown[]) => unknown)(...args))
  }
}

export const describe = describeImpl as unknown as SuiteAPI
export const it = Object.assign((name: string, fn: TestFn) => register(name, fn), { each }) as unknown as TestAPI
export const test = it
export const beforeEach = (hook: Hook): void => void scope.beforeEach.push(hook)
export const afterEach = (hook: Hook): void => void scope.afterEach.push(hook)
export const beforeAll = (hook: Hook): void => void scope.beforeAll.push(hook)
export const afterAll = (hook: Hook): void => void scope.afterAll.push(hook)

export const vi = {
  fn: spy.fn,
  spyOn: spy.spyOn,
  restoreAllMocks: spy.restoreAllMocks,
  clearAllMocks: spy.clearAllMocks,
  resetAllMocks: spy.resetAllMocks,
  isMockFunction: spy.isMockFunction,
}
