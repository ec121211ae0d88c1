/** @module Turn items in display order, each item's children (a subagent's work) nested under it. */
import type { LoomClient } from '../../src/client/index.ts'
import type { ThreadProjection, TurnItem } from '../../src/contracts/index.ts'
import { TurnItemView } from './turn-item.tsx'
import type { Act } from './thread-page.tsx'

type Props = { items: TurnItem[]; projection: ThreadProjection; client: LoomClient; act: Act }

export const ItemTree = ({ items, projection, client, act }: Props) => {
  const ids = new Set(items.map((i) => i.id))
  const children = new Map<string, TurnItem[]>()
  for (const item of items) {
    if (item.parentItemId && ids.has(item.parentItemId)) children.set(item.parentItemId, [...(children.get(item.parentItemId) ?? []), item])
  }
  const roots = items.filter((item) => !item.parentItemId || !ids.has(item.parentItemId)).sort((a, b) => a.ordinal - b.ordinal)
  const renderItem = (item: TurnItem) => (
    <li key={item.id}>
      <TurnItemView item={item} projection={projection} client={client} act={act} />
      {children.has(item.id) && <ul class="items nested">{children.get(item.id)!.sort((a, b) => a.ordinal - b.ordinal).map(renderItem)}</ul>}
    </li>
  )
  return <ul class="items">{roots.map(renderItem)}</ul>
}
