// `import * as Outbound from '@/lib/outbound'`: connections Tollgate makes on a merchant's behalf
// reach only public addresses unless the operator allows private ones (docs/security.md).
export * from './errors'
export * from './outbound-policy'
export * from './request-public'
export { HostNotFoundError, type Resolve } from './resolve-host'
