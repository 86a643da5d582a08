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
    <div class='keypad'>
      {digits.map((digit) => (
        <button type='button' key={digit} class='key' onClick={() => onDigit(digit)}>
          {digit}
        </button>
      ))}
      <button type='button' class='key key-small' onClick={onClear}>
        {text(lang, 'clear')}
      </button>
      <button type='button' class='key' onClick={() => onDigit('0')}>
        0
      </button>
      <button type='button' class='key' aria-label={text(lang, 'backspace')} onClick={onBackspace}>
        <svg
          viewBox='0 0 24 24'
          width='32'
          height='32'
          aria-hidden='true'
          focusable='false'
          fill='none'
          stroke='currentColor'
          stroke-width='2'
          stroke-linejoin='round'
          stroke-linecap='round'
        >
          <path d='M9 5h11v14H9l-6-7z M12 9l5 6 M17 9l-5 6' />
        </svg>
      </button>
    </div>
  )
}
