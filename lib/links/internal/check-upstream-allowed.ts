import * as Outbound from '@/lib/outbound'
import type { LinkResource } from '@/lib/store/schema'
import { InvalidInputError } from '../errors'

/** A proxy link's upstream must be a public host (unless the operator allows private ones); the gate checks again on each call. */
export async function checkUpstreamAllowed(resource: LinkResource, policy: Outbound.OutboundPolicy): Promise<void> {
  if (resource.kind !== 'proxy') return
  const refusal = await Outbound.refusalFor(new URL(resource.url), policy)
  if (refusal) throw new InvalidInputError([{ path: 'resource.url', message: refusal }])
}
