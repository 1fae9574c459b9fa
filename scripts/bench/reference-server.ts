// The comparison point for `npm run bench`, run as its own process: a minimal mppx 0.11 server
// (evm charge, EIP-3009 settled by its own viem account) on node:http selling the same resource at
// the same price, token and recipient as /l/demo, with the same binding secret.
// Started by reference.ts; prints one JSON line {"url"} on stdout when it listens.
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { Mppx, evm } from 'mppx/server'
import {
  type Address,
  type Hex,
  createPublicClient,
  createTestClient,
  createWalletClient,
  http as httpTransport,
  nonceManager,
  parseEther,
  parseSignature,
} from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { tokenAbi } from '@/lib/rails/evm/internal/tokenAbi'
import { anvilPrivateKey, localChain } from '@/scripts/chain/deploy'

export type ReferenceConfig = {
  rpcUrl: string
  chainId: number
  token: Address
  recipient: Address
  /** Display units, e.g. "0.01". */
  amount: string
  decimals: number
  description: string
  /** Correlation data bound into the challenge, like Tollgate's opaque resource key. */
  resourceKey: string
  body: string
  contentType: string
  /** anvil account index that pays gas for settlements (its own nonces, apart from Tollgate's settler). */
  settlerIndex: number
}

class SettlementRevertedError extends Error {
  override name = 'SettlementRevertedError'
}

/** The token's EIP-712 domain, as for USDC. */
const authorization = { name: 'USD Coin', version: '2' } as const

async function main() {
  const config = JSON.parse(process.env.BENCH_REFERENCE_CONFIG ?? '') as ReferenceConfig
  const secretKey = process.env.MPP_SECRET_KEY
  if (!secretKey) throw new Error('MPP_SECRET_KEY is not set')

  const chain = localChain(config.rpcUrl, config.chainId)
  const transport = httpTransport(config.rpcUrl)
  const settler = privateKeyToAccount(anvilPrivateKey(config.settlerIndex), { nonceManager })
  await createTestClient({ mode: 'anvil', chain, transport }).setBalance({ address: settler.address, value: parseEther('1000') })
  const publicClient = createPublicClient({ chain, transport })
  const wallet = createWalletClient({ account: settler, chain, transport })

  const server = http.createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo

  const mppx = Mppx.create({
    realm: `127.0.0.1:${port}`,
    secretKey,
    methods: [
      evm({
        currency: config.token,
        recipient: config.recipient,
        chainId: config.chainId,
        decimals: config.decimals,
        authorization,
        // mppx verified the signature and terms; the token's own nonce check refuses a replay on chain.
        settle: async ({ payload }) => {
          const { r, s, v, yParity } = parseSignature(payload.signature as Hex)
          const hash = await wallet.writeContract({
            address: config.token,
            abi: tokenAbi,
            functionName: 'transferWithAuthorization',
            args: [
              payload.from as Address,
              payload.to as Address,
              BigInt(payload.value),
              BigInt(payload.validAfter),
              BigInt(payload.validBefore),
              payload.nonce as Hex,
              Number(v ?? BigInt(yParity + 27)),
              r,
              s,
            ],
          })
          const receipt = await publicClient.waitForTransactionReceipt({ hash, pollingInterval: 50 })
          if (receipt.status !== 'success') throw new SettlementRevertedError(`settlement ${hash} reverted`)
          return { reference: hash }
        },
      }),
    ],
  })
  const charge = Mppx.toNodeListener(
    mppx['evm/charge']({ amount: config.amount, description: config.description, meta: { resource: config.resourceKey } }),
  )

  server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
    if (req.url !== '/l/demo') {
      res.writeHead(404).end()
      return
    }
    charge(req, res).then(
      (result) => {
        if (result.status === 402) return
        res.setHeader('content-type', `${config.contentType}; charset=utf-8`)
        res.end(config.body)
      },
      (error: unknown) => {
        console.error(`reference server: ${error instanceof Error ? error.name : 'error'}`)
        if (!res.headersSent) res.writeHead(500)
        res.end()
      },
    )
  })
  process.on('SIGTERM', () => {
    server.close(() => process.exit(0))
    server.closeAllConnections()
  })
  process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${port}` })}\n`)
}

main().catch((error: unknown) => {
  console.error(`reference server failed to start: ${error instanceof Error ? error.message : String(error)}`)
  process.exit(1)
})
