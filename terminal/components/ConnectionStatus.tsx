// The staff's discreet indicator: online or offline, and how many ratings wait in the outbox.
import { useTerminal } from '../context.ts'
import { text } from '../i18n.ts'

export function ConnectionStatus () {
  const { online, pending, lang } = useTerminal()
  const words = `${text(lang, online ? 'online' : 'offline')}${pending > 0 ? ` — ${pending} ${text(lang, 'pending')}` : ''}`
  return (
    <p class={`connection ${online ? 'is-online' : 'is-offline'}`} role='status' title={words} data-pending={pending}>
      <span class='dot' aria-hidden='true' />
      <span class='sr-only'>{words}</span>
      {pending > 0 && <span aria-hidden='true'>{pending}</span>}
    </p>
  )
}
