// The demo's terminal commands on the home page, each with a copy button (the list is lib/demo's).
import { CopyButton } from '@/components/ui/CopyButton'
import type { TerminalCommand } from '@/lib/demo/terminal-commands'

export function TerminalCommands({ commands }: { commands: readonly TerminalCommand[] }) {
  return (
    <ol className="commands" data-testid="terminal-commands">
      {commands.map((entry) => (
        <li key={entry.id} className="command" data-testid={`command-${entry.id}`}>
          <div className="command-head">
            <h3>{entry.title}</h3>
            <CopyButton text={entry.command} className="button secondary small" testId={`copy-${entry.id}`} />
          </div>
          <p className="muted">{entry.description}</p>
          <pre>
            <code data-testid={`command-text-${entry.id}`}>{entry.command}</code>
          </pre>
        </li>
      ))}
    </ol>
  )
}
