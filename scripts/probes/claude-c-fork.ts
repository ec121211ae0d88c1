// Probe (c): forking a Claude session.
//  - standalone `forkSession(sessionId, {dir?, upToMessageId?})` export: exists? where does it look
//    for transcripts (it runs in the SDK host process, not in the CLI)? new id? uuids remapped?
//  - `query({resume, forkSession: true, resumeSessionAt})`: new id? history truncated?
// Source session: three turns "turn one/two/three"; fork points are the turn-one assistant uuid.
// Run: npx node scripts/probes/claude-c-fork.ts
import * as sdk from "@anthropic-ai/claude-agent-sdk";
import { forkSession, getSessionMessages } from "@anthropic-ai/claude-agent-sdk";
import { printRequests, runMain, runTurns, sessionFiles, setupProbe, turnCursors, userMsg } from "./claude-harness.ts";

function lastHistory(p: { fake: { requests: Array<{ history: string[] }> } }): string[] {
  return p.fake.requests[p.fake.requests.length - 1]?.history ?? [];
}

await runMain("claude-c-fork", async () => {
  const p = await setupProbe("fork");
  const savedConfigDir = process.env.CLAUDE_CONFIG_DIR;
  try {
    console.log(`standalone exports: forkSession=${typeof (sdk as any).forkSession} getSessionMessages=${typeof (sdk as any).getSessionMessages} forkSession.length=${forkSession.length}`);

    console.log("\n=== source session: three turns ===");
    const src = await runTurns(p, {}, [
      userMsg("turn one", { uuid: "c0000000-0000-4000-8000-000000000001" } as any),
      userMsg("turn two", { uuid: "c0000000-0000-4000-8000-000000000002" } as any),
      userMsg("turn three", { uuid: "c0000000-0000-4000-8000-000000000003" } as any),
    ]);
    const S = src.initSessionIds[0]!;
    const [A1, A2] = turnCursors(src.msgs);
    console.log(`  S=${S} assistant cursors=${JSON.stringify(turnCursors(src.msgs))}`);

    console.log("\n=== getSessionMessages / forkSession in the host process, CLAUDE_CONFIG_DIR NOT set in process.env ===");
    delete process.env.CLAUDE_CONFIG_DIR;
    try {
      const msgs = await getSessionMessages(S, { dir: p.cwd });
      console.log(`  getSessionMessages -> ${msgs.length} messages`);
    } catch (e) {
      console.log(`  getSessionMessages threw: ${(e as Error).message}`);
    }
    try {
      const r = await forkSession(S, { dir: p.cwd, upToMessageId: A1 });
      console.log(`  forkSession -> ${JSON.stringify(r)}`);
    } catch (e) {
      console.log(`  forkSession threw: ${(e as Error).message}`);
    }

    console.log("\n=== same, with process.env.CLAUDE_CONFIG_DIR = the CLI's config dir ===");
    process.env.CLAUDE_CONFIG_DIR = p.configDir;
    const onDisk = await getSessionMessages(S, { dir: p.cwd });
    console.log(`  getSessionMessages(S) -> ${onDisk.length}: ${onDisk.map((m) => `${m.type}:${m.uuid}`).join(" ")}`);
    console.log(`  SDK-streamed assistant uuids present on disk: ${turnCursors(src.msgs).map((u) => onDisk.some((m) => m.uuid === u)).join(",")}; client user uuid c…01 on disk: ${onDisk.some((m) => m.uuid === "c0000000-0000-4000-8000-000000000001")}`);

    const t0 = Date.now();
    const f1 = await forkSession(S, { dir: p.cwd, upToMessageId: A1 });
    console.log(`  forkSession(S, {dir, upToMessageId: A1}) -> ${JSON.stringify(f1)} in ${Date.now() - t0} ms`);
    const f1Msgs = await getSessionMessages(f1.sessionId, { dir: p.cwd });
    console.log(`  fork messages: ${f1Msgs.map((m) => `${m.type}:${m.uuid}`).join(" ")} (A1 kept as uuid? ${f1Msgs.some((m) => m.uuid === A1)})`);
    console.log(`  session files: ${JSON.stringify(sessionFiles(p))}`);

    const f1NoDir = await forkSession(S, { upToMessageId: A1 });
    console.log(`  forkSession without dir -> ${JSON.stringify(f1NoDir)}`);
    const fFull = await forkSession(S, { dir: p.cwd });
    console.log(`  forkSession without upToMessageId -> ${(await getSessionMessages(fFull.sessionId, { dir: p.cwd })).length} messages (full copy)`);
    try {
      await forkSession(S, { dir: p.cwd, upToMessageId: "c0000000-0000-4000-8000-0000000000ff" });
      console.log("  forkSession with an unknown upToMessageId -> no error");
    } catch (e) {
      console.log(`  forkSession with an unknown upToMessageId threw: ${(e as Error).message}`);
    }
    try {
      await forkSession("c0000000-0000-4000-8000-0000000000ee", { dir: p.cwd });
    } catch (e) {
      console.log(`  forkSession of an unknown session threw: ${(e as Error).message}`);
    }

    console.log("\n=== resume the standalone fork ===");
    let o = await runTurns(p, { resume: f1.sessionId }, ["fork A continues"]);
    console.log(`  init session=${o.initSessionIds[0]} (fork id ${f1.sessionId})`);
    printRequests(p, o.reqFrom);

    console.log("\n=== query({resume: S, forkSession: true, resumeSessionAt: A1}) ===");
    o = await runTurns(p, { resume: S, forkSession: true, resumeSessionAt: A1 }, ["fork B continues"]);
    const fB = o.initSessionIds[0]!;
    console.log(`  init session=${fB} (new? ${fB !== S})`);
    printRequests(p, o.reqFrom);
    const fBMsgs = await getSessionMessages(fB, { dir: p.cwd });
    console.log(`  fork B on disk: ${fBMsgs.map((m) => `${m.type}:${m.uuid}`).join(" ")}; keeps source uuid A1? ${fBMsgs.some((m) => m.uuid === A1)}`);

    console.log("\n=== query({resume: S, forkSession: true}) opened but closed before any prompt ===");
    const before = sessionFiles(p).length;
    o = await runTurns(p, { resume: S, forkSession: true }, []);
    console.log(`  session files before/after: ${before}/${sessionFiles(p).length}; init messages: ${o.initSessionIds.length}`);

    console.log("\n=== source session after both forks: plain resume S ===");
    o = await runTurns(p, { resume: S }, ["source continues"]);
    console.log(`  init session=${o.initSessionIds[0]}`);
    console.log(`  history: ${lastHistory(p).join(" | ")}`);

    console.log("\n=== fork at turn two (A2) via query, custom id ===");
    o = await runTurns(p, { resume: S, forkSession: true, resumeSessionAt: A2, sessionId: "c0000000-0000-4000-8000-00000000f002" }, ["fork C continues"]);
    console.log(`  init session=${o.initSessionIds[0]}`);
    console.log(`  history: ${lastHistory(p).join(" | ")}`);
  } finally {
    if (savedConfigDir === undefined) delete process.env.CLAUDE_CONFIG_DIR;
    else process.env.CLAUDE_CONFIG_DIR = savedConfigDir;
    await p.cleanup();
  }
});
