// A large on-screen numeric keypad for pairing codes and PINs.
import { text, type Lang } from '../i18n.ts'

export interface KeypadProps {
  lang: Lang
  onDigit: (digit: string) => void
  onBackspace: () => void
  onClear: () => void
}

const digits = ['1', '2', '3', '4', '5', '6', '7', '8', '9']

export function Keypad ({ lang, onDigit, onBackspace, onClear }: KeypadProps) {
  return (
    <div class="keypad">
      {digits.map((digit) => <button type="button" key={digit} class="key" onClick={() => onDigit(digit)}>{digit}</button>)}
      <button type="button" class="key key-small" onClick={onClear}>{text(lang, 'clear')}</button>
      <button type="button" class="key" onClick={() => onDigit('0')}>0</button>
      <button type="button" class="key" aria-label={text(lang, 'backspace')} onClick={onBackspace}>⌫</button>
    </div>
  )
}
