import * as Outbound from '@/lib/outbound'
import type { LinkResource } from '@/lib/store/schema'
import { InvalidInputError } from '../errors'
import type { LinkResourceInput } from '../schema'

/** A proxy or service link's upstream must be a public host (unless the operator allows private ones); the gateway checks again on each call. */
export async function checkUpstreamAllowed(resource: LinkResource | LinkResourceInput, policy: Outbound.OutboundPolicy): Promise<void> {
  const [url, path] =
    resource.kind === 'proxy'
      ? [resource.url, 'resource.url']
      : resource.kind === 'service'
        ? [resource.upstreamUrl, 'resource.upstreamUrl']
        : []
  if (!url || !path) return
  const refusal = await Outbound.refusalFor(new URL(url), policy)
  if (refusal) throw new InvalidInputError([{ path, message: refusal }])
}
