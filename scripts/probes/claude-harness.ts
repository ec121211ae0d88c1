// Shared helpers for the Claude Agent SDK probes: isolated temp dirs, hermetic env,
// a pushable prompt stream, a tracking spawn wrapper (so no `claude` child survives),
// and small printing helpers.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, mkdirSync, readdirSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { query, type Options, type SDKMessage, type SDKUserMessage, type SpawnOptions } from "@anthropic-ai/claude-agent-sdk";
import { startFakeAnthropic, type FakeAnthropic } from "./claude-fake-server.ts";

const allChildren: ChildProcess[] = [];
function killAll(): void {
  for (const c of allChildren) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
}
process.on("exit", killAll);

export interface Probe {
  fake: FakeAnthropic;
  root: string;
  cwd: string;
  configDir: string;
  /** base options for query(); spread and override per call */
  options(extra?: Partial<Options>): Options;
  /** raw stream-json lines the SDK wrote to the CLI's stdin (all processes) */
  rawIn: string[];
  stderr: string[];
  children: ChildProcess[];
  cleanup(): Promise<void>;
}

export async function setupProbe(name: string, envExtra: Record<string, string> = {}): Promise<Probe> {
  const fake = await startFakeAnthropic({ verbose: !!process.env.PROBE_VERBOSE });
  const root = mkdtempSync(path.join(os.tmpdir(), `claude-probe-${name}-`));
  const home = path.join(root, "home");
  const configDir = path.join(home, ".claude");
  const tmp = path.join(root, "tmp");
  const cwd = path.join(root, "work");
  for (const d of [home, configDir, tmp, cwd]) mkdirSync(d, { recursive: true });
  const rawIn: string[] = [];
  const stderr: string[] = [];
  const children: ChildProcess[] = [];
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    HOME: home,
    CLAUDE_CONFIG_DIR: configDir,
    TMPDIR: tmp,
    CLAUDE_CODE_TMPDIR: tmp,
    ANTHROPIC_BASE_URL: fake.url,
    ANTHROPIC_API_KEY: "test",
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
    DISABLE_TELEMETRY: "1",
    DISABLE_AUTOUPDATER: "1",
    DISABLE_ERROR_REPORTING: "1",
    DISABLE_BUG_COMMAND: "1",
    CLAUDE_CODE_MAX_RETRIES: "0",
    ...envExtra,
  };
  const spawnClaudeCodeProcess = (o: SpawnOptions) => {
    const child = spawn(o.command, o.args, { cwd: o.cwd, env: o.env as NodeJS.ProcessEnv, stdio: ["pipe", "pipe", "pipe"] });
    children.push(child);
    allChildren.push(child);
    const origWrite = child.stdin!.write.bind(child.stdin!);
    (child.stdin as any).write = (chunk: any, ...rest: any[]) => {
      for (const line of String(chunk).split("\n")) if (line.trim()) rawIn.push(line);
      return (origWrite as any)(chunk, ...rest);
    };
    child.stderr!.on("data", (d: Buffer) => stderr.push(d.toString()));
    return child as any;
  };
  return {
    fake,
    root,
    cwd,
    configDir,
    rawIn,
    stderr,
    children,
    options: (extra = {}) => ({
      cwd,
      model: "claude-fake-1",
      settingSources: [],
      permissionMode: "default",
      env,
      spawnClaudeCodeProcess,
      ...extra,
    }),
    async cleanup() {
      for (const c of children) {
        if (c.exitCode === null && c.signalCode === null) {
          c.kill("SIGKILL");
          await new Promise((r) => c.once("exit", r));
        }
      }
      await fake.close();
      rmSync(root, { recursive: true, force: true });
    },
  };
}

/** Async-iterable prompt you can push SDKUserMessages into (streaming-input mode). */
export class Pushable implements AsyncIterable<SDKUserMessage> {
  private items: SDKUserMessage[] = [];
  private waiters: Array<(r: IteratorResult<SDKUserMessage>) => void> = [];
  private done = false;
  push(m: SDKUserMessage): void {
    const w = this.waiters.shift();
    if (w) w({ value: m, done: false });
    else this.items.push(m);
  }
  end(): void {
    this.done = true;
    for (const w of this.waiters.splice(0)) w({ value: undefined as any, done: true });
  }
  [Symbol.asyncIterator](): AsyncIterator<SDKUserMessage> {
    return {
      next: () => {
        const v = this.items.shift();
        if (v) return Promise.resolve({ value: v, done: false });
        if (this.done) return Promise.resolve({ value: undefined as any, done: true });
        return new Promise((r) => this.waiters.push(r));
      },
    };
  }
}

export function userMsg(text: string, extra: Partial<SDKUserMessage> = {}): SDKUserMessage {
  return { type: "user", message: { role: "user", content: text }, parent_tool_use_id: null, ...extra };
}

/** One-line summary of an SDK message. */
export function brief(m: SDKMessage): string {
  const a = m as any;
  switch (m.type) {
    case "system":
      if (a.subtype === "init") return `system:init session=${a.session_id} permissionMode=${a.permissionMode}`;
      if (a.subtype === "status") return `system:status status=${a.status}`;
      {
        const { type, subtype, session_id, uuid, ...rest } = a;
        return `system:${subtype} ${JSON.stringify(rest).slice(0, 200)}`;
      }
    case "assistant":
      return `assistant uuid=${a.uuid} [${(a.message?.content ?? [])
        .map((b: any) => (b.type === "text" ? JSON.stringify(b.text.slice(0, 50)) : b.type === "tool_use" ? `tool_use:${b.name}` : b.type))
        .join(",")}]${a.error ? ` error=${a.error}` : ""}`;
    case "user":
      return `user uuid=${a.uuid} ${Array.isArray(a.message?.content) ? a.message.content.map((b: any) => (b.type === "tool_result" ? `tool_result${b.is_error ? "(ERR)" : ""}:${String(typeof b.content === "string" ? b.content : JSON.stringify(b.content)).slice(0, 60)}` : b.type === "text" ? JSON.stringify(String(b.text).slice(0, 50)) : b.type)).join(",") : JSON.stringify(String(a.message?.content).slice(0, 50))}${a.isReplay ? " (replay)" : ""}${a.priority ? ` priority=${a.priority}` : ""}`;
    case "result":
      return `result:${a.subtype} is_error=${a.is_error} num_turns=${a.num_turns} terminal_reason=${a.terminal_reason} result=${JSON.stringify(String(a.result ?? "").slice(0, 60))} session=${a.session_id} denials=${JSON.stringify((a.permission_denials ?? []).map((d: any) => d.tool_name))}`;
    case "stream_event":
      return `stream_event:${a.event?.type}`;
    default: {
      const { type, session_id, ...rest } = a;
      return `${type} ${JSON.stringify(rest).slice(0, 220)}`;
    }
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Print the history (messages) of each fake-server request from index `from`. */
export function printRequests(p: Probe, from = 0, label = "request"): void {
  for (const r of p.fake.requests.slice(from)) {
    console.log(`  ${label} #${r.n} stream=${r.stream} session-header=${r.sessionHeader} closedEarly=${r.closedEarly}`);
    for (const h of r.history) console.log(`      ${h}`);
  }
}

/** Consume a query until `stop(msg)` returns true (inclusive); returns the messages seen. */
export async function readUntil(
  it: AsyncIterator<SDKMessage>,
  stop: (m: SDKMessage) => boolean,
  log = true,
  t0 = Date.now(),
): Promise<SDKMessage[]> {
  const seen: SDKMessage[] = [];
  for (;;) {
    const r = await it.next();
    if (r.done) break;
    seen.push(r.value);
    if (log && r.value.type !== "stream_event") console.log(`  [${String(Date.now() - t0).padStart(5)}ms] ${brief(r.value)}`);
    if (stop(r.value)) break;
  }
  return seen;
}

export async function runMain(name: string, fn: () => Promise<void>): Promise<void> {
  const timer = setTimeout(() => {
    console.error(`${name}: global timeout`);
    killAll();
    process.exit(2);
  }, 120_000);
  try {
    await fn();
  } catch (e) {
    console.error(`${name}: FAILED`, e);
    process.exitCode = 1;
  } finally {
    clearTimeout(timer);
  }
}

/** Drains a query in the background, logging non-stream messages with timestamps. */
export class Collector {
  msgs: SDKMessage[] = [];
  error: unknown = undefined;
  ended = false;
  private t0 = Date.now();
  private listeners: Array<() => void> = [];
  private log = true;
  constructor(it: AsyncIterable<SDKMessage>, log = true) {
    this.log = log;
    void (async () => {
      try {
        for await (const m of it) {
          this.msgs.push(m);
          if (this.log && m.type !== "stream_event") console.log(`  [${String(Date.now() - this.t0).padStart(5)}ms] ${brief(m)}`);
          this.listeners.forEach((l) => l());
        }
      } catch (e) {
        this.error = e;
        if (this.log) console.log(`  [${String(Date.now() - this.t0).padStart(5)}ms] THROWN: ${String((e as Error)?.message ?? e).slice(0, 200)}`);
      } finally {
        this.ended = true;
        this.listeners.forEach((l) => l());
      }
    })();
  }
  elapsed(): number {
    return Date.now() - this.t0;
  }
  mark(text: string): void {
    if (this.log) console.log(`  [${String(Date.now() - this.t0).padStart(5)}ms] >>> ${text}`);
  }
  results(): SDKMessage[] {
    return this.msgs.filter((m) => m.type === "result");
  }
  /** Resolve when pred(msgs) is true, the stream ended, or timeout (returns whether pred held). */
  waitFor(pred: (msgs: SDKMessage[]) => boolean, timeoutMs = 20_000): Promise<boolean> {
    return new Promise((resolve) => {
      const check = () => {
        if (pred(this.msgs)) return done(true);
        if (this.ended) return done(false);
      };
      const timer = setTimeout(() => done(false), timeoutMs);
      const done = (v: boolean) => {
        clearTimeout(timer);
        this.listeners = this.listeners.filter((l) => l !== check);
        resolve(v);
      };
      this.listeners.push(check);
      check();
    });
  }
}

export interface TurnsOutcome {
  msgs: SDKMessage[];
  results: any[];
  initSessionIds: string[];
  error: unknown;
  reqFrom: number;
  /** CLI stderr written during this call, minus the unrecognized_model noise */
  stderr: string;
}

/** Open a streaming-input query with `options`, send prompts one after another (each after the previous result), close. */
export async function runTurns(p: Probe, extra: Partial<Options>, prompts: Array<string | SDKUserMessage>, label = ""): Promise<TurnsOutcome> {
  if (label) console.log(`  --- ${label}`);
  const reqFrom = p.fake.requests.length;
  const errFrom = p.stderr.length;
  const input = new Pushable();
  const q = query({ prompt: input, options: p.options(extra) });
  const c = new Collector(q);
  try {
    for (let i = 0; i < prompts.length; i++) {
      const pr = prompts[i]!;
      input.push(typeof pr === "string" ? userMsg(pr) : pr);
      const ok = await c.waitFor((ms) => ms.filter((m) => m.type === "result").length >= i + 1, 20_000);
      if (!ok) break;
    }
  } finally {
    input.end();
    await c.waitFor(() => false, 300);
    q.close();
    await c.waitFor(() => c.ended, 3000);
  }
  return {
    msgs: c.msgs,
    results: c.results(),
    initSessionIds: c.msgs.filter((m) => m.type === "system" && (m as any).subtype === "init").map((m) => (m as any).session_id),
    error: c.error,
    reqFrom,
    stderr: p.stderr
      .slice(errFrom)
      .join("")
      .split("\n")
      .filter((l) => l.trim() && !l.includes("unrecognized_model"))
      .join("\n"),
  };
}

/** Session files on disk under CLAUDE_CONFIG_DIR/projects. */
export function sessionFiles(p: Probe): string[] {
  const dir = path.join(p.configDir, "projects");
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((d) => readdirSync(path.join(dir, d)).map((f) => `${d}/${f}`));
}

/** Last assistant uuid before each result (the per-turn "native message cursor"). */
export function turnCursors(msgs: SDKMessage[]): string[] {
  const out: string[] = [];
  let last = "";
  for (const m of msgs) {
    if (m.type === "assistant") last = (m as any).uuid;
    if (m.type === "result") out.push(last);
  }
  return out;
}
