// The zod schema of a service link's pricing, for the link schemas (lib/links/schema.ts). The rules and
// their messages are parseServicePricing's (./price-rules.ts), which the dashboard runs without zod.
import { z } from 'zod'
import { parseServicePricing, type ServicePricing } from './price-rules'

/** Untrusted pricing input -> canonical ServicePricing; each issue at its path (rules.2.price) with a message naming the rule. */
export const ServicePricingSchema = z.unknown().transform((input, ctx): ServicePricing => {
  const parsed = parseServicePricing(input)
  if (parsed.ok) return parsed.pricing
  for (const issue of parsed.issues) ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message })
  return z.NEVER
})
