import type Stripe from 'stripe'
import type { Db } from '@/lib/store/db'
import type { StripeConfig } from '../Config'

/** What every rail operation needs: the configuration, the SDK pointed at Stripe, and the store. */
export type RailContext = { config: StripeConfig; stripe: Stripe; db: Db }
