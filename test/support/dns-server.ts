// A tiny authoritative DNS server on 127.0.0.1 (UDP, A and AAAA) for tests: the app is pointed at it
// with UPSTREAM_DNS_SERVERS, and a test changes an answer to play a DNS change between save and connect.
import dgram from 'node:dgram'
import { isIPv6 } from 'node:net'

export type DnsServer = {
  /** `127.0.0.1:port`, the value for UPSTREAM_DNS_SERVERS. */
  address: string
  /** Answers `name` with these addresses from now on (IPv4 as A records, IPv6 as AAAA). */
  set(name: string, addresses: string[]): void
  /** Names asked so far, in order. */
  queries: string[]
  stop(): Promise<void>
}

const TYPE_A = 1
const TYPE_AAAA = 28

export async function startDnsServer(): Promise<DnsServer> {
  const table = new Map<string, string[]>()
  const queries: string[] = []
  const socket = dgram.createSocket('udp4')
  socket.on('message', (message, peer) => {
    const answer = respond(message, table, queries)
    if (answer) socket.send(answer, peer.port, peer.address)
  })
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject)
    socket.bind(0, '127.0.0.1', () => resolve())
  })
  return {
    address: `127.0.0.1:${socket.address().port}`,
    set: (name, addresses) => table.set(name.toLowerCase(), addresses),
    queries,
    stop: () => new Promise((resolve) => socket.close(() => resolve())),
  }
}

function respond(message: Buffer, table: Map<string, string[]>, queries: string[]): Buffer | null {
  if (message.length < 17) return null
  // The question: labels up to the root, then type and class.
  const labels: string[] = []
  let offset = 12
  while (offset < message.length && message[offset] !== 0) {
    const length = message[offset]!
    labels.push(message.subarray(offset + 1, offset + 1 + length).toString('latin1'))
    offset += length + 1
  }
  offset += 1
  if (offset + 4 > message.length) return null
  const type = message.readUInt16BE(offset)
  offset += 4
  const name = labels.join('.').toLowerCase()
  queries.push(name)
  const known = table.get(name)
  const records = (known ?? []).filter((a) => (type === TYPE_AAAA ? isIPv6(a) : type === TYPE_A && !isIPv6(a)))

  const header = Buffer.alloc(12)
  message.copy(header, 0, 0, 2)
  // A response, recursion available; NXDOMAIN for names the table does not hold.
  header.writeUInt16BE(0x8180 | (known ? 0 : 3), 2)
  header.writeUInt16BE(1, 4)
  header.writeUInt16BE(records.length, 6)
  const answers = records.map((address) => {
    const data = type === TYPE_A ? Buffer.from(address.split('.').map(Number)) : ipv6Bytes(address)
    const record = Buffer.alloc(12)
    record.writeUInt16BE(0xc00c, 0) // the name: a pointer to the question
    record.writeUInt16BE(type, 2)
    record.writeUInt16BE(1, 4) // class IN
    record.writeUInt32BE(0, 6) // TTL 0: never cached
    record.writeUInt16BE(data.length, 10)
    return Buffer.concat([record, data])
  })
  return Buffer.concat([header, message.subarray(12, offset), ...answers])
}

function ipv6Bytes(address: string): Buffer {
  const [head, tail] = address.split('::') as [string, string | undefined]
  const groups = (part: string | undefined) => (part ? part.split(':') : [])
  const left = groups(head)
  const right = groups(tail)
  const all = [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right]
  return Buffer.from(all.flatMap((g) => [parseInt(g, 16) >> 8, parseInt(g, 16) & 0xff]))
}
