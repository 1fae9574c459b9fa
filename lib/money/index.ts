// `import * as Money from '@/lib/money'` reads as Money.parseUsd(...), Money.formatUsd(...).
export * from './Usd'
