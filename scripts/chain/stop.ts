// Stops the anvil that scripts/chain/start.ts recorded in .data/anvil.pid, by that PID only.
// Run: `npx tsx scripts/chain/stop.ts`.
import { existsSync, readFileSync, rmSync } from 'node:fs'
import { pidFilePath } from './start'

function isAnvil(pid: number): boolean {
  // On Linux, make sure the PID was not reused by another program since it was recorded.
  const cmdline = `/proc/${pid}/cmdline`
  if (!existsSync('/proc')) return true
  return existsSync(cmdline) && readFileSync(cmdline, 'utf8').includes('anvil')
}

const pidFile = pidFilePath()
if (!existsSync(pidFile)) {
  console.log('no local chain recorded (nothing to stop)')
  process.exit(0)
}
const { pid, rpcUrl } = JSON.parse(readFileSync(pidFile, 'utf8')) as { pid: number; rpcUrl: string }
if (Number.isInteger(pid) && pid > 0 && isAnvil(pid)) {
  process.kill(pid, 'SIGTERM')
  console.log(`stopped anvil (pid ${pid}, ${rpcUrl})`)
} else console.log(`anvil (pid ${pid}) is not running`)
rmSync(pidFile, { force: true })
