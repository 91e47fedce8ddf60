// Starts the GOV.UK Frontend components (error summary focus, service navigation, details, ...).
import { initAll } from '/assets/govuk-frontend.min.js'

initAll()

// Long uploads: once a form marked data-app-upload is sent, show a live "Uploading…" status with a
// spinner instead of a page that looks frozen. Without JavaScript the form still works as it is.
for (const form of document.querySelectorAll('form[data-app-upload]')) {
  form.addEventListener('submit', () => {
    const status = form.querySelector('.app-upload-status')
    if (status) status.hidden = false
    for (const button of form.querySelectorAll('button[type="submit"], button:not([type])')) {
      button.setAttribute('aria-disabled', 'true')
      button.classList.add('govuk-button--disabled')
    }
    document.body.classList.add('app-busy')
  })
}

// A long list to choose from (the accredited providers): GOV.UK's accessible autocomplete over the
// <select>, which it keeps in the form and updates. Without JavaScript the select is the question.
if (window.accessibleAutocomplete) {
  for (const select of document.querySelectorAll('select[data-app-autocomplete]')) {
    window.accessibleAutocomplete.enhanceSelectElement({
      selectElement: select,
      defaultValue: '',
      showAllValues: true,
      dropdownArrow: () => '',
      tNoResults: () => 'No accredited provider found'
    })
  }
}
