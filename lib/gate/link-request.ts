// A request for /l/{slug}: find the link, refuse what cannot be sold, otherwise gate it.
import * as Links from '@/lib/links'
import { problemForBrowser } from './browser'
import { handlePayment, serveFromGrant } from './gate'
import { LinkCache } from './link-cache'
import { deliverLink, linkResource } from './link-resource'
import { answeringOutages } from './outage'
import { jsonProblem } from './payment-required'
import { getGate } from './runtime'

const linkCache = new LinkCache()

const GONE: Record<Exclude<Links.LinkAvailability, 'ok'>, string> = {
  inactive: 'This link has been deactivated by its merchant.',
  expired: 'This link has expired.',
  'sold-out': 'This link has sold out.',
}

export function handleLinkRequest(request: Request, slug: string): Promise<Response> {
  return answeringOutages(() => sellLink(request, slug))
}

async function sellLink(request: Request, slug: string): Promise<Response> {
  const gate = await getGate()
  // Unpaid requests may see a link up to a TTL old; a request carrying money always reads it fresh.
  const load = (s: string) => Links.getLinkBySlug(gate.db, s)
  const link = !/^[A-Za-z0-9-]{1,64}$/.test(slug) ? null : carriesCredential(request) ? await load(slug) : await linkCache.get(slug, load)
  if (!link) return problemForBrowser(request, jsonProblem(404, 'Link not found', `There is no payment link at /l/${slug.slice(0, 64)}.`))
  // Only a capped link needs its payment count on the hot path.
  const paid = link.maxPayments === null ? 0 : await Links.countLinkPayments(gate.db, link.id)
  const availability = Links.linkAvailability(link, paid)
  const resource = linkResource(link, gate.config.publicUrl, gate.db)
  const deliver = () => deliverLink(gate.db, link)
  if (availability !== 'ok') {
    // Closed to new buyers, not to those who already paid (e.g. the buyer of the last slot).
    const granted = await serveFromGrant(gate, request, resource, deliver)
    return granted ?? problemForBrowser(request, jsonProblem(410, 'Link unavailable', GONE[availability]))
  }
  return handlePayment(gate, request, resource, deliver)
}

function carriesCredential(request: Request): boolean {
  return request.headers.has('authorization') || request.headers.has('payment-authorization') || request.headers.has('payment-signature')
}
