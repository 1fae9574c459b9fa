// `import * as Merchants from '@/lib/merchants'`.
export * from './ensure-merchant'
export * from './get-merchant'
export type { Merchant } from '@/lib/store/merchants'
