/** @module Turning an object's reply (status and JSON text) into a response without reparsing. */
import type { Reply } from '../thread/runtime.ts'

export const fromReply = (reply: Reply): Response =>
  new Response(reply.body, { status: reply.status, headers: { 'content-type': 'application/json' } })
