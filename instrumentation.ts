// Next.js calls register() once when a server instance starts: the one place background jobs begin.
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== 'nodejs' || process.env.NEXT_PHASE === 'phase-production-build') return
  const { startBackgroundJobs } = await import('@/lib/gate/background-jobs')
  startBackgroundJobs()
}
