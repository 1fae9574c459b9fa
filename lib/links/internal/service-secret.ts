// What saving a service link does with its secret header: seal a new value for the link's id, keep the
// stored one, or drop it. The resource row keeps only the header's name and a hint of the value.
import { sealUpstreamSecret, secretHint, UpstreamSecretKeys } from '@/lib/gateway/upstream-secret'
import type { LinkResource, ServiceResource } from '@/lib/store/schema'
import { InvalidInputError } from '../errors'
import type { LinkResourceInput } from '../schema'

export type StoredResource = { resource: LinkResource; upstreamSecret: string | null | undefined }

/**
 * The resource to store and what to do with the sealed secret: a string to store, null to remove,
 * undefined to leave as it is. `current` is the saved link's resource on update (null on create).
 */
export function storedResource(
  input: LinkResourceInput,
  linkId: string,
  current: LinkResource | null,
  keys: () => UpstreamSecretKeys,
): StoredResource {
  if (input.kind !== 'service') return { resource: input, upstreamSecret: current?.kind === 'service' ? null : undefined }
  const { secretHeader, ...rest } = input
  const saved = current?.kind === 'service' ? current.secretHeader : null
  const resource = (header: ServiceResource['secretHeader']): ServiceResource => ({ ...rest, secretHeader: header })
  if (secretHeader === null) return { resource: resource(null), upstreamSecret: saved ? null : undefined }
  if (secretHeader === undefined) return { resource: resource(saved), upstreamSecret: undefined }
  if (secretHeader.value === undefined) {
    if (!saved)
      throw new InvalidInputError([
        { path: 'resource.secretHeader.value', message: 'enter the secret value: none is stored for this link yet' },
      ])
    return { resource: resource({ name: secretHeader.name, hint: saved.hint }), upstreamSecret: undefined }
  }
  return {
    resource: resource({ name: secretHeader.name, hint: secretHint(secretHeader.value) }),
    upstreamSecret: sealUpstreamSecret(secretHeader.value, keys(), linkId),
  }
}
