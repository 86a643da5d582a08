// The bottom bar: the language toggle for citizens, and the discreet staff entry and status for officers.
import { useLocation } from 'preact-iso'
import { useTerminal } from '../context.ts'
import { text } from '../i18n.ts'
import { ConnectionStatus } from './ConnectionStatus.tsx'

export function Footer () {
  const { lang, setLang } = useTerminal()
  const { route } = useLocation()
  const other = lang === 'vi' ? 'en' : 'vi'
  return (
    <footer class='footer'>
      <button type='button' class='language' lang={other} onClick={() => setLang(other)}>{text(lang, 'otherLanguage')}</button>
      <ConnectionStatus />
      <button type='button' class='staff-entry' onClick={() => route('/terminal/staff')}>
        {text(lang, 'staff')}
      </button>
    </footer>
  )
}
