// Line pictures for the "4 xin, 4 luôn" criteria (drawn here: a tablet's emoji font can't be relied on).
const paths: Record<string, string> = {
  // a speech bubble: greeting
  xin_chao: 'M4 4h16v11H10l-5 4v-4H4z M8 9.5h.01 M12 9.5h.01 M16 9.5h.01',
  // a face looking down: apology
  xin_loi: 'M12 3a9 9 0 1 0 0 18a9 9 0 1 0 0-18z M7.5 10q1.5 1.5 3 0 M13.5 10q1.5 1.5 3 0 M9 16h6',
  // a heart: thanks
  xin_cam_on: 'M12 20s-8-5-8-11a4.5 4.5 0 0 1 8-2.5A4.5 4.5 0 0 1 20 9c0 6-8 11-8 11z',
  // a question in a circle: asking permission
  xin_phep: 'M12 3a9 9 0 1 0 0 18a9 9 0 1 0 0-18z M9.5 9.5a2.5 2.5 0 1 1 3.5 2.3c-.7.3-1 .9-1 1.7v.5 M12 17h.01',
  // a smiling face
  luon_mim_cuoi: 'M12 3a9 9 0 1 0 0 18a9 9 0 1 0 0-18z M9 9.5h.01 M15 9.5h.01 M8 14q4 4 8 0',
  // a feather: gentle
  luon_nhe_nhang: 'M20 4C11 4 6 9 6 18 M6 18C15 18 20 13 20 4 M4 20l9-9',
  // an ear: listening
  luon_lang_nghe: 'M7 9a5 5 0 1 1 10 0c0 3.5-3.5 4.5-3.5 7.5a3 3 0 0 1-6 0 M10 9.5a2 2 0 1 1 4 0',
  // a lifebuoy: helping
  luon_giup_do:
    'M12 3a9 9 0 1 0 0 18a9 9 0 1 0 0-18z M12 8a4 4 0 1 0 0 8a4 4 0 1 0 0-8z M5.6 5.6l3.6 3.6 M18.4 5.6l-3.6 3.6 M5.6 18.4l3.6-3.6 M18.4 18.4l-3.6-3.6'
}

const check = 'M5 12.5l4.5 4.5L19 7'

export function CriterionIcon ({ code }: { code: string }) {
  return (
    <svg
      class='criterion-icon'
      viewBox='0 0 24 24'
      aria-hidden='true'
      focusable='false'
      fill='none'
      stroke='currentColor'
      stroke-width='2'
      stroke-linecap='round'
      stroke-linejoin='round'
    >
      <path d={paths[code] ?? check} />
    </svg>
  )
}
