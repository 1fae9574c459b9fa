// A merchant's `evm`/`session` payment channels in the dashboard: `import * as Channels from '@/lib/channels'`.
export * from './channel-actions'
export * from './errors'
export * from './list-channels'
