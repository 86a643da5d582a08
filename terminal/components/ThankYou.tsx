// The thank-you screen after a rating; it goes back to the scale by itself.
import { useEffect } from 'preact/hooks'
import { text, type Lang } from '../i18n.ts'
import { Face } from './Face.tsx'

export function ThankYou ({ lang, seconds, onDone }: { lang: Lang, seconds: number, onDone: () => void }) {
  useEffect(() => {
    const timer = setTimeout(onDone, seconds * 1000)
    return () => clearTimeout(timer)
  }, [])
  return (
    <section class='thanks' role='status'>
      <Face mood={1} />
      <h1>{text(lang, 'thanks')}</h1>
      <p>{text(lang, 'thanksDetail')}</p>
    </section>
  )
}
