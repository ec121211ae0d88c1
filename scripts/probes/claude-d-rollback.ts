// Probe (d): rollback by `resume` + `resumeSessionAt: <assistant uuid>` WITHOUT forkSession.
// Is the history sent to the model truncated? Is the session id kept? Is the truncation
// durable (a later plain `resume` sees the rolled-back branch or the old one)? What does
// getSessionMessages report? Also: resumeSessionAt with a user uuid / unknown uuid,
// resumeDropsTurn, and a rollback to "before the first turn".
// Run: npx node scripts/probes/claude-d-rollback.ts
import { forkSession, getSessionMessages } from "@anthropic-ai/claude-agent-sdk";
import { readFileSync } from "node:fs";
import path from "node:path";
import { runMain, runTurns, sessionFiles, setupProbe, turnCursors, userMsg, type Probe, type TurnsOutcome } from "./claude-harness.ts";

function lastHistory(p: Probe): string {
  return (p.fake.requests[p.fake.requests.length - 1]?.history ?? []).filter((h) => !h.startsWith("system:")).join(" | ");
}
function outcome(o: TurnsOutcome): string {
  return `init=${o.initSessionIds[0] ?? "-"} results=${JSON.stringify(o.results.map((r) => [r.subtype, r.is_error, String(r.result ?? (r.errors ?? []).join(";")).slice(0, 140)]))}${o.error ? ` thrown=${String((o.error as Error).message).slice(0, 160)}` : ""}${o.stderr ? ` stderr=${o.stderr.slice(0, 200)}` : ""}`;
}

await runMain("claude-d-rollback", async () => {
  const p = await setupProbe("rollback");
  const saved = process.env.CLAUDE_CONFIG_DIR;
  process.env.CLAUDE_CONFIG_DIR = p.configDir; // for getSessionMessages (runs in this process)
  try {
    const U = (n: number) => `d0000000-0000-4000-8000-00000000000${n}`;
    const src = await runTurns(p, {}, [1, 2, 3].map((n) => userMsg(`turn ${n}`, { uuid: U(n) } as any)), "source session: turn 1..3");
    const S = src.initSessionIds[0]!;
    const [A1, A2] = turnCursors(src.msgs);
    console.log(`  S=${S} A1=${A1} A2=${A2}`);

    console.log("\n=== (d1) resume S + resumeSessionAt A1 (drop turns 2 and 3), no forkSession ===");
    let o = await runTurns(p, { resume: S, resumeSessionAt: A1 }, ["after rollback to 1"]);
    console.log(`  ${outcome(o)}  same id? ${o.initSessionIds[0] === S}`);
    console.log(`  history sent: ${lastHistory(p)}`);
    const [R1] = turnCursors(o.msgs);
    let disk = await getSessionMessages(S, { dir: p.cwd });
    console.log(`  getSessionMessages(S): ${disk.map((m) => `${m.type}:${(m.message as any)?.content?.[0]?.text ?? (typeof (m.message as any)?.content === "string" ? (m.message as any).content : "?")}`).join(" | ")}`);

    console.log("\n=== (d2) later plain resume S (no resumeSessionAt): which branch? ===");
    o = await runTurns(p, { resume: S }, ["plain resume after rollback"]);
    console.log(`  ${outcome(o)}`);
    console.log(`  history sent: ${lastHistory(p)}`);

    console.log("\n=== (d3) resumeSessionAt A2 (a turn discarded by d1's rollback) ===");
    const file = sessionFiles(p).find((f) => f.includes(S))!;
    const raw = readFileSync(path.join(p.configDir, "projects", file), "utf8");
    console.log(`  transcript file still contains A2 / "turn 3"? ${raw.includes(A2!)} / ${raw.includes('"turn 3"')}; lines=${raw.trim().split("\n").length}`);
    o = await runTurns(p, { resume: S, resumeSessionAt: A2 }, ["rollback to 2"]);
    console.log(`  ${outcome(o)}`);
    try {
      const f = await forkSession(S, { dir: p.cwd, upToMessageId: A2 });
      const fm = await getSessionMessages(f.sessionId, { dir: p.cwd });
      console.log(`  standalone forkSession(S, {upToMessageId: A2}) -> ${f.sessionId}: ${fm.map((m) => (m.message as any)?.content?.[0]?.text ?? (m.message as any)?.content).join(" | ")}`);
    } catch (e) {
      console.log(`  standalone forkSession(S, {upToMessageId: A2}) threw: ${(e as Error).message}`);
    }

    console.log("\n=== (d3b) same live query, two turns after a resumeSessionAt open (cursor R1 = reply of d1) ===");
    o = await runTurns(p, { resume: S, resumeSessionAt: R1 }, ["after R1, first", "after R1, second"]);
    console.log(`  ${outcome(o)}`);
    console.log(`  history sent on 2nd turn: ${lastHistory(p)}`);

    console.log("\n=== (d4) resumeSessionAt = a user message uuid (turn 1's prompt) ===");
    o = await runTurns(p, { resume: S, resumeSessionAt: U(1) }, ["after rollback to user 1"]);
    console.log(`  ${outcome(o)}`);
    console.log(`  history sent: ${lastHistory(p)}`);

    console.log("\n=== (d5) resumeSessionAt = unknown uuid ===");
    o = await runTurns(p, { resume: S, resumeSessionAt: "d0000000-0000-4000-8000-0000000000ff" }, ["x"]);
    console.log(`  ${outcome(o)}`);

    console.log("\n=== (d6) resumeDropsTurn on a fresh 2-turn session: correct (turn 2 prompt uuid) vs wrong ===");
    const V = (n: number) => `d0000000-0000-4000-8000-00000000010${n}`;
    const s2 = await runTurns(p, {}, [1, 2].map((n) => userMsg(`second session turn ${n}`, { uuid: V(n) } as any)));
    const S2 = s2.initSessionIds[0]!;
    const [B1] = turnCursors(s2.msgs);
    o = await runTurns(p, { resume: S2, resumeSessionAt: B1, resumeDropsTurn: V(1) }, ["drops turn 1 declared (wrong)"]);
    console.log(`  wrong:   ${outcome(o)}`);
    o = await runTurns(p, { resume: S2, resumeSessionAt: B1, resumeDropsTurn: V(2) }, ["drops turn 2 declared (correct)"]);
    console.log(`  correct: ${outcome(o)}`);
    console.log(`  history sent: ${lastHistory(p)}`);

    console.log("\n=== (d7) rollback to before the first turn: there is no uuid before it -> open a new session ===");
    console.log("  (nothing to probe: resumeSessionAt needs a chain uuid; the adapter starts a fresh session id)");
  } finally {
    if (saved === undefined) delete process.env.CLAUDE_CONFIG_DIR;
    else process.env.CLAUDE_CONFIG_DIR = saved;
    await p.cleanup();
  }
});
