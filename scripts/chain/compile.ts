// Compiles contracts/*.sol with solc-js and caches the artifacts in contracts/build/.
// The cache key is a hash of the sources, compiler version and settings, so edits recompile.
// Run directly: `npx tsx scripts/chain/compile.ts [--force]`.
import { createHash } from 'node:crypto'
import { createRequire } from 'node:module'
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import type { Abi, Hex } from 'viem'

export type ContractName = 'SessionEscrow' | 'TestUSDC' | 'TestWallet1271'

export type Artifact = {
  contractName: ContractName
  abi: Abi
  bytecode: Hex
}

export type Artifacts = Record<ContractName, Artifact>

type CacheFile = { cacheKey: string; compiler: string; artifacts: Artifacts }

type SolcOutput = {
  errors?: { severity: 'error' | 'warning' | 'info'; formattedMessage: string }[]
  contracts?: Record<string, Record<string, { abi: Abi; evm: { bytecode: { object: string } } }>>
}

const contractNames: readonly ContractName[] = ['SessionEscrow', 'TestUSDC', 'TestWallet1271']

export const contractsDir = path.resolve(import.meta.dirname, '..', '..', 'contracts')
const buildDir = path.join(contractsDir, 'build')
const cachePath = path.join(buildDir, 'artifacts.json')

// Cancun is supported by anvil and every chain this project targets.
const settings = {
  optimizer: { enabled: true, runs: 200 },
  evmVersion: 'cancun',
  outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object'] } },
} as const

function readSources(): Record<string, { content: string }> {
  const sources: Record<string, { content: string }> = {}
  for (const file of readdirSync(contractsDir).sort()) {
    if (file.endsWith('.sol')) sources[file] = { content: readFileSync(path.join(contractsDir, file), 'utf8') }
  }
  return sources
}

function solcVersion(): string {
  const require = createRequire(import.meta.url)
  return (require('solc/package.json') as { version: string }).version
}

function cacheKeyOf(sources: Record<string, { content: string }>, compiler: string): string {
  return createHash('sha256').update(JSON.stringify({ sources, compiler, settings })).digest('hex')
}

function readCache(cacheKey: string): Artifacts | undefined {
  if (!existsSync(cachePath)) return undefined
  try {
    const cache = JSON.parse(readFileSync(cachePath, 'utf8')) as CacheFile
    return cache.cacheKey === cacheKey ? cache.artifacts : undefined
  } catch {
    return undefined
  }
}

export class CompileError extends Error {
  override name = 'CompileError'
}

/** Returns the compiled artifacts, compiling only when the sources changed since the last build. */
export async function compileContracts(options: { force?: boolean } = {}): Promise<Artifacts> {
  const sources = readSources()
  const compiler = solcVersion()
  const cacheKey = cacheKeyOf(sources, compiler)
  if (!options.force) {
    const cached = readCache(cacheKey)
    if (cached) return cached
  }

  // solc-js is large; load it only when a compile is actually needed.
  const solc = (await import('solc')).default
  const output = JSON.parse(solc.compile(JSON.stringify({ language: 'Solidity', sources, settings }))) as SolcOutput
  const errors = (output.errors ?? []).filter((e) => e.severity === 'error')
  if (errors.length > 0) throw new CompileError(errors.map((e) => e.formattedMessage).join('\n'))

  const artifacts = {} as Artifacts
  for (const contractName of contractNames) {
    const compiled = output.contracts?.[`${contractName}.sol`]?.[contractName]
    if (!compiled) throw new CompileError(`solc produced no output for ${contractName}`)
    artifacts[contractName] = { contractName, abi: compiled.abi, bytecode: `0x${compiled.evm.bytecode.object}` }
  }

  // Write through a temporary file so concurrent test processes never read a half-written cache.
  mkdirSync(buildDir, { recursive: true })
  const temporary = `${cachePath}.${process.pid}.tmp`
  writeFileSync(temporary, JSON.stringify({ cacheKey, compiler, artifacts } satisfies CacheFile, null, 2))
  renameSync(temporary, cachePath)
  return artifacts
}

/** Returns one compiled contract. */
export async function loadArtifact(name: ContractName): Promise<Artifact> {
  return (await compileContracts())[name]
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const started = Date.now()
  const artifacts = await compileContracts({ force: process.argv.includes('--force') })
  for (const artifact of Object.values(artifacts)) {
    console.log(`${artifact.contractName}: ${(artifact.bytecode.length - 2) / 2} bytes`)
  }
  console.log(`contracts ready in ${Date.now() - started} ms (cache: contracts/build/artifacts.json)`)
}
