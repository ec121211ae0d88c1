// Throwaway fake Anthropic Messages API for the Claude probes (scripts/probes/claude-*.ts).
// Not the shared fixture (that one is being built in fixtures/fake-models/); keep this small.
//
// POST /v1/messages (streaming SSE with `event:` lines, or non-streaming JSON),
// POST /v1/messages/count_tokens, GET /v1/models. Binds 127.0.0.1 on a random port.
// Scripted by directives in the text of the latest user message that has text
// (tool_result-only user messages are answered with a final text reply):
//   (none)                 streamed text "ack: <first 60 chars of the prompt>"
//   [[slow:N]]             N text deltas "tick<i> " every 250 ms, then end_turn
//   [[bash:CMD]]           tool_use Bash {command: CMD}
//   [[write:FILE:TEXT]]    tool_use Write {file_path: FILE, content: TEXT}
//   [[edit:FILE:OLD:NEW]]  tool_use Edit {file_path, old_string, new_string}
//   [[read:FILE]]          tool_use Read {file_path}
//   [[tool:NAME:JSON]]     tool_use NAME with input JSON (must not contain "]]")
//   [[fail:N]]             HTTP status N
// Every request is kept in `requests` (summarised history in `history`).
import http from "node:http";
import type { AddressInfo } from "node:net";

export interface LoggedRequest {
  n: number;
  url: string;
  stream: boolean;
  sessionHeader: string | undefined;
  body: any;
  /** one line per message: "role: text|tool_use(Name)|tool_result(...)" */
  history: string[];
  closedEarly: boolean;
}

export interface FakeAnthropic {
  url: string;
  requests: LoggedRequest[];
  close(): Promise<void>;
}

type Block = Record<string, any>;

function blockSummary(b: any): string {
  if (typeof b === "string") return JSON.stringify(b.slice(0, 80));
  if (b.type === "text") {
    const t: string = b.text ?? "";
    return t.startsWith("<system-reminder>") ? "<system-reminder…>" : JSON.stringify(t.slice(0, 80));
  }
  if (b.type === "tool_use") return `tool_use(${b.name} ${JSON.stringify(b.input).slice(0, 60)})`;
  if (b.type === "tool_result") {
    const c = typeof b.content === "string" ? b.content : JSON.stringify(b.content);
    return `tool_result(${b.is_error ? "ERR " : ""}${String(c).slice(0, 60)})`;
  }
  return b.type;
}

export function summariseMessages(messages: any[]): string[] {
  return (messages ?? []).map((m) => {
    const content = typeof m.content === "string" ? [m.content] : (m.content ?? []);
    return `${m.role}: ${content.map(blockSummary).join(" + ")}`;
  });
}

function userTexts(m: any): string[] {
  if (typeof m.content === "string") return [m.content];
  return (m.content ?? [])
    .filter((b: any) => b.type === "text" && !String(b.text).startsWith("<system-reminder>"))
    .map((b: any) => String(b.text));
}

/** Decide the scripted reply for a request body. */
function script(body: any): { status?: number; blocks: Block[]; slow?: number } {
  const msgs: any[] = body.messages ?? [];
  const users = msgs.filter((m) => m.role === "user");
  const last = users[users.length - 1];
  const lastTexts = last ? userTexts(last) : [];
  const hasToolResult =
    !!last && Array.isArray(last.content) && last.content.some((b: any) => b.type === "tool_result");
  if (hasToolResult && lastTexts.length === 0) return { blocks: [{ type: "text", text: "tool done" }] };
  const text = lastTexts.join("\n");
  const directive = /\[\[(\w+)(?::(.*?))?\]\]/s.exec(text);
  if (!directive) return { blocks: [{ type: "text", text: `ack: ${text.slice(0, 60)}` }] };
  const [, kind, arg = ""] = directive;
  const parts = arg.split(":");
  const id = `toolu_${Math.random().toString(36).slice(2, 10)}`;
  switch (kind) {
    case "slow":
      return { blocks: [{ type: "text", text: "" }], slow: Number(arg || 10) };
    case "bash":
      return { blocks: [{ type: "tool_use", id, name: "Bash", input: { command: arg, description: "probe" } }] };
    case "write":
      return { blocks: [{ type: "tool_use", id, name: "Write", input: { file_path: parts[0], content: parts.slice(1).join(":") } }] };
    case "edit":
      return {
        blocks: [{ type: "tool_use", id, name: "Edit", input: { file_path: parts[0], old_string: parts[1], new_string: parts[2] } }],
      };
    case "read":
      return { blocks: [{ type: "tool_use", id, name: "Read", input: { file_path: arg } }] };
    case "tool":
      return { blocks: [{ type: "tool_use", id, name: parts[0], input: JSON.parse(parts.slice(1).join(":") || "{}") }] };
    case "fail":
      return { status: Number(arg || 500), blocks: [] };
    default:
      return { blocks: [{ type: "text", text: `ack: ${text.slice(0, 60)}` }] };
  }
}

export async function startFakeAnthropic(opts: { verbose?: boolean } = {}): Promise<FakeAnthropic> {
  const requests: LoggedRequest[] = [];
  let msgCounter = 0;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const url = req.url ?? "";
      if (req.method === "GET" && url.startsWith("/v1/models")) {
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify({ data: [{ id: "claude-fake-1", type: "model", display_name: "Fake" }], has_more: false }));
        return;
      }
      if (req.method === "POST" && url.startsWith("/v1/messages/count_tokens")) {
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify({ input_tokens: 10 }));
        return;
      }
      if (!(req.method === "POST" && url.startsWith("/v1/messages"))) {
        res.writeHead(404, { "content-type": "application/json" });
        res.end(JSON.stringify({ type: "error", error: { type: "not_found_error", message: "nope" } }));
        return;
      }
      let body: any = {};
      try {
        body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
      } catch {
        // A body that is not JSON is logged as {} below; the probes only send JSON.
      }
      const entry: LoggedRequest = {
        n: requests.length + 1,
        url,
        stream: body.stream === true,
        sessionHeader: req.headers["x-claude-code-session-id"] as string | undefined,
        body,
        history: summariseMessages(body.messages),
        closedEarly: false,
      };
      requests.push(entry);
      if (opts.verbose) console.error(`[fake] #${entry.n} stream=${entry.stream}\n  ${entry.history.join("\n  ")}`);
      const plan = script(body);
      const id = `msg_fake_${++msgCounter}`;
      if (plan.status) {
        res.writeHead(plan.status, { "content-type": "application/json" });
        res.end(JSON.stringify({ type: "error", error: { type: "api_error", message: "scripted failure" } }));
        return;
      }
      const stopReason = plan.blocks.some((b) => b.type === "tool_use") ? "tool_use" : "end_turn";
      const model = body.model ?? "claude-fake-1";
      if (!entry.stream) {
        const blocks = plan.slow
          ? [{ type: "text", text: Array.from({ length: plan.slow }, (_, i) => `tick${i} `).join("") }]
          : plan.blocks;
        res.writeHead(200, { "content-type": "application/json" });
        res.end(
          JSON.stringify({
            id, type: "message", role: "assistant", model, content: blocks,
            stop_reason: stopReason, stop_sequence: null, usage: { input_tokens: 10, output_tokens: 5 },
          }),
        );
        return;
      }
      res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
      let closed = false;
      res.on("close", () => {
        if (!res.writableFinished) entry.closedEarly = true;
        closed = true;
      });
      const send = (event: string, data: unknown) => {
        if (!closed) res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
      };
      send("message_start", {
        type: "message_start",
        message: { id, type: "message", role: "assistant", model, content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: 10, output_tokens: 1 } },
      });
      const finish = () => {
        send("message_delta", { type: "message_delta", delta: { stop_reason: stopReason, stop_sequence: null }, usage: { output_tokens: 5 } });
        send("message_stop", { type: "message_stop" });
        if (!closed) res.end();
      };
      if (plan.slow) {
        send("content_block_start", { type: "content_block_start", index: 0, content_block: { type: "text", text: "" } });
        let i = 0;
        const timer = setInterval(() => {
          if (closed) return clearInterval(timer);
          if (i < (plan.slow ?? 0)) {
            send("content_block_delta", { type: "content_block_delta", index: 0, delta: { type: "text_delta", text: `tick${i} ` } });
            i++;
            return;
          }
          clearInterval(timer);
          send("content_block_stop", { type: "content_block_stop", index: 0 });
          finish();
        }, 250);
        return;
      }
      plan.blocks.forEach((b, index) => {
        if (b.type === "text") {
          send("content_block_start", { type: "content_block_start", index, content_block: { type: "text", text: "" } });
          send("content_block_delta", { type: "content_block_delta", index, delta: { type: "text_delta", text: b.text } });
        } else {
          send("content_block_start", { type: "content_block_start", index, content_block: { type: "tool_use", id: b.id, name: b.name, input: {} } });
          send("content_block_delta", { type: "content_block_delta", index, delta: { type: "input_json_delta", partial_json: JSON.stringify(b.input) } });
        }
        send("content_block_stop", { type: "content_block_stop", index });
      });
      finish();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

// CLI: `npx node scripts/probes/claude-fake-server.ts` prints the URL and logs requests.
if (import.meta.url === `file://${process.argv[1]}`) {
  const s = await startFakeAnthropic({ verbose: true });
  console.log(s.url);
}
