// `import * as Auth from '@/lib/auth'`: Sign-In with Ethereum, sessions and the dashboard's access checks.
export * from './errors'
export * from './config'
export * from './nonces'
export * from './sessions'
export * from './sign-in'
export * as SessionCookie from './session-cookie'
