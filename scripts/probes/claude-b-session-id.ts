// Probe (b): the `sessionId` option.
// 1. first open with a client-chosen UUID: accepted? reported by system:init / result / HTTP header? file name on disk?
// 2. a second open (new CLI process) with the same `sessionId` (no resume): error? history?
// 3. `resume: <same id>` instead: history and id.
// 4. a non-UUID sessionId; sessionId + resume without forkSession; sessionId + resume + forkSession.
// Run: npx node scripts/probes/claude-b-session-id.ts
import { printRequests, runMain, runTurns, sessionFiles, setupProbe, type TurnsOutcome } from "./claude-harness.ts";

const CHOSEN = "0b5e55a0-1d00-4c1e-9000-00000000b001";
const FORK_ID = "0b5e55a0-1d00-4c1e-9000-00000000f0f0";

function show(o: TurnsOutcome): void {
  console.log(
    `  init session ids=${JSON.stringify(o.initSessionIds)} result session ids=${JSON.stringify(o.results.map((r) => r.session_id))} results=${JSON.stringify(o.results.map((r) => [r.subtype, r.is_error, String(r.result ?? (r.errors ?? []).join(";")).slice(0, 160)]))} thrown=${o.error ? String((o.error as Error).message ?? o.error).slice(0, 300) : "no"}`,
  );
  if (o.stderr) console.log(`  stderr: ${o.stderr.slice(0, 400)}`);
}

await runMain("claude-b-session-id", async () => {
  const p = await setupProbe("sessid");
  try {
    console.log("\n=== (b1) first open with sessionId ===");
    let o = await runTurns(p, { sessionId: CHOSEN }, ["first hello", "second hello"]);
    show(o);
    printRequests(p, o.reqFrom);
    console.log(`  session files: ${JSON.stringify(sessionFiles(p))}`);

    console.log("\n=== (b2) second open, same sessionId, no resume ===");
    o = await runTurns(p, { sessionId: CHOSEN }, ["third hello via sessionId again"]);
    show(o);
    printRequests(p, o.reqFrom);
    console.log(`  session files: ${JSON.stringify(sessionFiles(p))}`);

    console.log("\n=== (b3) open with resume: same id ===");
    o = await runTurns(p, { resume: CHOSEN }, ["fourth hello via resume"]);
    show(o);
    printRequests(p, o.reqFrom);
    console.log(`  session files: ${JSON.stringify(sessionFiles(p))}`);

    console.log("\n=== (b4) sessionId that is not a UUID ===");
    o = await runTurns(p, { sessionId: "not-a-uuid" }, ["hello"]);
    show(o);

    console.log("\n=== (b5) sessionId + resume (no forkSession) ===");
    o = await runTurns(p, { resume: CHOSEN, sessionId: FORK_ID }, ["hello"]);
    show(o);

    console.log("\n=== (b6) sessionId + resume + forkSession: custom fork id ===");
    o = await runTurns(p, { resume: CHOSEN, sessionId: FORK_ID, forkSession: true }, ["fifth hello in the fork"]);
    show(o);
    printRequests(p, o.reqFrom);
    console.log(`  session files: ${JSON.stringify(sessionFiles(p))}`);

    console.log("\n=== (b7) resume of an unknown session id ===");
    o = await runTurns(p, { resume: "0b5e55a0-1d00-4c1e-9000-00000000dead" }, ["hello"]);
    show(o);
    printRequests(p, o.reqFrom);

    const EMPTY = "0b5e55a0-1d00-4c1e-9000-0000000000e1";
    console.log("\n=== (b8) open with sessionId but close before sending any prompt; then reopen ===");
    o = await runTurns(p, { sessionId: EMPTY }, []);
    show(o);
    console.log(`  session files: ${JSON.stringify(sessionFiles(p))}`);
    o = await runTurns(p, { resume: EMPTY }, ["hello"], "resume of the never-used id");
    show(o);
    o = await runTurns(p, { sessionId: EMPTY }, ["hello again with sessionId"], "sessionId again");
    show(o);
    printRequests(p, o.reqFrom);
  } finally {
    await p.cleanup();
  }
});
