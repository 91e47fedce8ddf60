// Starts the GOV.UK Frontend components (error summary focus, service navigation, details, ...).
import { initAll } from '/assets/govuk-frontend.min.js'

initAll()
