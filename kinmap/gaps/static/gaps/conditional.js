// Show only the details asked for by the chosen answer. Without JavaScript
// every detail is shown, labelled with the answer it belongs to.
// (GOV.UK Frontend's own conditional reveal marks radios aria-expanded, which
// radios do not support; this keeps the radios plain.)
export function revealConditionals (root) {
  for (const group of root.querySelectorAll('[data-kinmap-conditional]')) {
    const inputs = group.querySelectorAll('input[type="radio"][data-reveals]')
    const sync = () => {
      for (const input of inputs) {
        const target = document.getElementById(input.dataset.reveals)
        if (target) target.hidden = !input.checked
      }
    }
    for (const input of group.querySelectorAll('input[type="radio"]')) {
      input.addEventListener('change', sync)
    }
    sync()
  }
}

revealConditionals(document)
