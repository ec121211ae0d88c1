/**
 * @module Why a WebSocket upgrade failed. A WebSocket client never sees the HTTP status of a
 * refused upgrade, so the runner asks the same endpoint over plain HTTP: the worker checks
 * the token before it checks for an upgrade, so a bad token answers 401/403 with its reason.
 */
import { LoomError } from '../src/contracts/index.ts'

/** A refusal that retrying will not cure, or null when the endpoint looks reachable and willing. */
export type UpgradeVerdict = { fatal: true; status: number; error: LoomError } | { fatal: false; detail: string }

export const diagnoseUpgrade = async (url: string, token: string, timeoutMs = 5000): Promise<UpgradeVerdict> => {
  let response: Response
  try {
    response = await fetch(url, { headers: { Authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(timeoutMs) })
  } catch (cause) {
    return { fatal: false, detail: `unreachable: ${cause instanceof Error ? cause.message : String(cause)}` }
  }
  const text = await response.text()
  if (response.status !== 401 && response.status !== 403) return { fatal: false, detail: `HTTP ${response.status}` }
  let error: LoomError = { code: response.status === 401 ? 'unauthorized' : 'forbidden', message: text.slice(0, 500) }
  try {
    const parsed = LoomError.safeParse(JSON.parse(text))
    if (parsed.success) error = parsed.data
  } catch {
    // Not a Loom error body (a proxy's page, say); the raw text above already says what it can.
    return { fatal: true, status: response.status, error }
  }
  return { fatal: true, status: response.status, error }
}
