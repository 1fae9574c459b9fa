// The MPP wire protocol, browser-safe. Binding (server-only, node:crypto) is imported directly: '@/lib/protocol/Binding'.
export * as AcceptPayment from './AcceptPayment'
export * as Base64Url from './Base64Url'
export * as Challenge from './Challenge'
export * as Credential from './Credential'
export * as Digest from './Digest'
export * as Jcs from './Jcs'
export * as Problem from './Problem'
export * as Receipt from './Receipt'
