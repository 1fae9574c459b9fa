'use client'
// A button that copies `text` to the clipboard and says so; "Select & copy" where the browser refuses.
import { useState } from 'react'

export function CopyButton({
  text,
  label = 'Copy',
  className = 'btn',
  testId,
}: {
  text: string
  label?: string
  className?: string
  testId?: string
}) {
  const [copied, setCopied] = useState<boolean | null>(null)
  return (
    <button
      type="button"
      className={className}
      data-testid={testId}
      onClick={async () => {
        try {
          await navigator.clipboard.writeText(text)
          setCopied(true)
        } catch {
          setCopied(false)
        }
        setTimeout(() => setCopied(null), 1600)
      }}
    >
      <span aria-live="polite">{copied === true ? 'Copied' : copied === false ? 'Select & copy' : label}</span>
    </button>
  )
}
