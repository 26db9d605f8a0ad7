// The contact page, enhanced: a form marked data-kinmap-fetch is sent with
// fetch() instead of loading a new page. The server answers with the contact
// page as it now is (the header Kinmap-Fetch: 1 asks for that instead of a
// redirect), and the parts that changed are put in place: the gaps whose
// outcome changed, the running count, the households, carers and close
// sections. Anything unexpected (an error page, no network) falls back to an
// ordinary submission, so the page works exactly as without JavaScript.
import { revealConditionals } from './conditional.js'

const SECTIONS = ['#households', '#who-was-there', '#close', '[data-carers-missing]']
const status = document.getElementById('contact-status')

function say (text) {
  if (!status) return
  status.textContent = ''
  // a fresh text node, so the same words said twice are announced twice
  window.setTimeout(() => { status.textContent = text }, 50)
}

function replace (current, fresh) {
  if (!current || !fresh) return null
  const node = document.importNode(fresh, true)
  current.replaceWith(node)
  revealConditionals(node)
  return node
}

function swap (doc, form) {
  const block = form.closest('[data-gap-block]')
  const groups = document.getElementById('gap-groups')
  const freshGroups = doc.getElementById('gap-groups')
  let mine = null
  if (groups && freshGroups && groups.dataset.gapIds === freshGroups.dataset.gapIds) {
    for (const fresh of freshGroups.querySelectorAll('[data-gap-block]')) {
      const current = document.getElementById(fresh.id)
      const same = current && current.dataset.state === fresh.dataset.state
      if (current === block || !same) {
        const node = replace(current, fresh)
        if (current === block) mine = node
      }
    }
    for (const caption of freshGroups.querySelectorAll('.kinmap-gap-group__title')) {
      const current = document.getElementById(caption.id)
      if (current) current.innerHTML = caption.innerHTML
    }
  } else if (groups && freshGroups) {
    replace(groups, freshGroups)
    if (block) mine = document.getElementById(block.id)
  }
  for (const selector of SECTIONS) replace(document.querySelector(selector), doc.querySelector(selector))
  const progress = document.getElementById('contact-progress')
  const freshProgress = doc.getElementById('contact-progress')
  if (progress && freshProgress) progress.textContent = freshProgress.textContent
  return mine
}

// Saves go one at a time, in the order they were made: a second save made
// while the first is on its way waits for it (so the server never handles two
// changes to the same contact at once, and each answer is swapped in in order).
let queue = Promise.resolve()

async function send (form, button, body) {
  let response
  try {
    response = await fetch(form.action, {
      method: 'POST',
      body,
      headers: { 'Kinmap-Fetch': '1' },
      credentials: 'same-origin'
    })
  } catch {
    form.submit()
    return
  }
  const type = response.headers.get('Content-Type') || ''
  if (!response.ok || response.redirected || !type.startsWith('text/html')) {
    form.submit()
    return
  }
  const doc = new DOMParser().parseFromString(await response.text(), 'text/html')
  const mine = swap(doc, form)
  if (button && button.isConnected) button.disabled = false
  const errors = doc.querySelectorAll('.govuk-error-summary__list li')
  if (errors.length) {
    const invalid = (mine || document).querySelector('.govuk-form-group--error input, .govuk-form-group--error textarea, .govuk-form-group--error select')
    say(`There is a problem: ${Array.from(errors, (e) => e.textContent.trim()).join('. ')}`)
    if (invalid) invalid.focus()
    return
  }
  const saved = doc.querySelector('.govuk-notification-banner__heading')
  if (saved) say(saved.textContent.trim())
  const heading = mine && mine.querySelector('h4')
  if (heading) heading.focus()
}

let waiting = 0

document.addEventListener('submit', (event) => {
  const form = event.target
  if (!(form instanceof HTMLFormElement)) return
  if (!form.hasAttribute('data-kinmap-fetch')) {
    // an ordinary submission (closing the contact) waits for the saves before it
    if (waiting > 0) {
      event.preventDefault()
      queue.then(() => form.submit())
    }
    return
  }
  event.preventDefault()
  const button = event.submitter
  const body = new FormData(form, button || undefined)
  if (button) button.disabled = true
  waiting += 1
  queue = queue
    .then(() => send(form, button, body))
    .catch(() => form.submit())
    .finally(() => { waiting -= 1 })
})
