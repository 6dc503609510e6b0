## Web panel: layout

web-nav-menu = Menu
web-nav-staff = Staff
web-nav-sandbox = Sandbox chat
web-nav-signed-in-as = Signed in as { $name }
web-nav-logout = Sign out

web-lang-switch = Interface language
web-lang-ru = Русский
web-lang-uk = Українська
web-lang-en = English
web-lang-short-ru = RU
web-lang-short-uk = UA
web-lang-short-en = EN

## Password sign-in

web-login-title = Sign in
web-login-heading = Sign in to the panel
web-login-login = Login
web-login-password = Password
web-login-submit = Sign in
web-login-failed = Wrong login or password.
web-login-locked = Too many failed sign-in attempts. Try again in { $minutes ->
        [one] { $minutes } minute
       *[other] { $minutes } minutes
    }.
web-login-telegram-hint = No password? Send /web to the bot and it will reply with a one-time sign-in link.

## One-time sign-in link from the bot

web-link-title = Sign in with a link
web-link-preview = Open this link in your browser to sign in to the panel.
web-link-used = This link has already been used: each sign-in link works only once.
web-link-expired = This link has expired.
web-link-unknown = Link not found. It may not have been copied in full.
web-link-inactive = Your account is deactivated. Please contact an administrator.
web-link-again = To get a new link, send /web to the bot.
web-link-to-login = Go to sign-in

## Error pages

web-error-home = Go to the home page
web-error-400-title = Bad request
web-error-400-text = We could not read the submitted data. Reload the page and try again.
web-error-403-title = Access denied
web-error-403-text = Only administrators can open this page.
web-error-404-title = Page not found
web-error-404-text = There is no such page. Check the address or go back to the home page.
web-error-405-title = Action not available
web-error-405-text = This page cannot be opened this way. Go back to the home page and try again from there.
web-error-500-title = Something went wrong
web-error-500-text = An error occurred on the server and has been logged. Please try again a little later.
web-error-csrf-title = The form has expired
web-error-csrf-text = We could not verify this form submission — the page may have been open for too long. Reload the page and try again.
web-error-generic-title = Error
web-error-generic-text = The request failed (code { $status }).

## Home page for staff without admin rights

web-home-title = Home
web-home-greeting = Hello, { $name }!
web-home-roles = Your roles
web-home-no-roles = No roles assigned yet.
web-home-bot-hint = All the work happens in the Telegram bot. The web panel is for administrators.

## Staff and invites

web-staff-title = Staff
web-staff-list-heading = All staff ({ $count })
web-staff-col-name = Name
web-staff-col-roles = Roles
web-staff-col-phone = Phone
web-staff-col-telegram = Telegram
web-staff-col-active = Status
web-staff-col-actions = Actions
web-staff-you = (you)
web-staff-no-roles = no roles
web-staff-telegram-yes = Linked
web-staff-telegram-no = Not linked
web-staff-active = Active
web-staff-inactive = Deactivated
web-staff-deactivate = Deactivate
web-staff-activate = Activate
web-staff-activated = { $name }: the account is active again.
web-staff-deactivated = { $name }: the account is deactivated and can no longer sign in or use the bot.
web-staff-empty = No staff yet.

web-invite-heading = Invite a staff member
web-invite-intro = An invite is a one-time link to the bot. The new staff member opens it in Telegram and gets the chosen role right away. The link is valid for { $hours ->
        [one] { $hours } hour
       *[other] { $hours } hours
    }.
web-invite-role = Role
web-invite-role-choose = Choose a role
web-invite-name = Name (optional)
web-invite-name-placeholder = e.g. Iryna Bondarenko
web-invite-submit = Create invite
web-invites-open-heading = Open invites
web-invites-empty = No open invites.
web-invites-col-role = Role
web-invites-col-name = Name
web-invites-col-created-by = Created by
web-invites-col-expires = Valid until
web-invite-no-name = no name
web-invite-revoke = Revoke
web-invite-revoked = Invite revoked: nobody can join with that link any more.

web-invite-title = Invite
web-invite-ready-title = Invite ready
web-invite-back = Back to staff
web-invite-status = Status
web-invite-status-open = Waiting for the staff member
web-invite-status-used = Used
web-invite-status-closed = Expired or revoked
web-invite-link-label = Link for the staff member
web-invite-copy = Copy
web-invite-copied = Copied
web-invite-open-telegram = Open in Telegram
web-invite-no-bot = The bot username is not configured (telegram.bot_username), so there is no ready-made link. Ask the staff member to send the bot the command below.
web-invite-command-label = Command for the bot
web-invite-command-hint = In the sandbox chat, pick the new staff member's persona and send this command.
web-invite-open-sandbox = Open the sandbox chat
web-invite-once = The link works once: only one person can join with it. It is shown only now — copy it and send it to the staff member.
web-invite-token-hidden = The link is shown only once, right after it is created. If it got lost, revoke this invite and create a new one.

## Form errors

web-form-forbidden = Only administrators can do this.
web-form-role-required = Choose a role for the new staff member.
web-form-role-unknown = There is no such role. Reload the page and pick a role from the list.
web-form-name-too-long = The name is too long: { $max } characters at most.
web-form-invite-unknown = Invite not found.
web-form-invite-closed = This invite has already been used, has expired or was revoked.
web-form-staff-unknown = Staff member not found.
web-form-self-deactivate = You cannot deactivate your own account.
web-form-bad-input = The form is filled in incorrectly. Reload the page and try again.

## cards, customers, api keys

web-nav-cards = Cards
web-nav-customers = Customers
web-nav-apikeys = API keys
web-yes = Yes
web-no = No
web-error-denied-title = Not allowed
web-error-denied-text = Your role does not let you open this page or do this. If you need it for your work, ask an administrator.

web-pager = Pages
web-pager-prev = Previous
web-pager-next = Next
web-pager-page = Page { $count } of { $max }

web-channel-bot = via the bot
web-channel-web = via the web panel
web-channel-api = via the API
web-channel-import = import
web-channel-system = automatically

web-cards-title = Cards
web-cards-filter = Card filter
web-cards-pipeline = Pipeline
web-cards-pipeline-all = All pipelines
web-cards-state = Show
web-cards-state-open = Open only
web-cards-state-all = All, closed included
web-cards-filter-apply = Show
web-cards-found = Cards found: { $count }
web-cards-empty = No cards. Cards you have access to will appear here.
web-cards-col-number = Number
web-cards-col-title = Title
web-cards-col-stage = Stage
web-cards-col-customer = Customer
web-cards-col-assignee = Assignee

web-card-back = All cards
web-card-untitled = Untitled
web-card-urgent = Urgent
web-card-pipeline = Pipeline
web-card-owner = Owner
web-card-deadline = Deadline
web-card-created = Created
web-card-system = System
web-card-moves = Actions
web-card-no-moves = You cannot move this card to another stage right now.
web-card-reason = Reason
web-card-required-hint = To move the card on, fill in: { $name }.
web-card-moved = The card moved to “{ $name }”.
web-card-fields = Fields
web-card-read-only = read only
web-card-fields-save = Save fields
web-card-fields-saved = Fields saved.
web-card-no-changes = You did not change anything.
web-card-attachments = Attachments ({ $count })
web-card-no-attachments = No attachments yet.
web-card-comments = Comments ({ $count })
web-card-no-comments = No comments yet.
web-card-comment-label = New comment
web-card-comment-add = Add comment
web-card-comment-added = Comment added.
web-card-history = History

web-card-error-changed = Someone else changed this card while you were looking at it. Here is the fresh version — check it and repeat the action if it is still needed.
web-card-error-transition = This step is not available now: the card is already at another stage. Here is its fresh version.
web-card-error-reason = This action needs a reason.
web-card-error-fields-missing = Fill in these fields first: { $name }.
web-card-error-fields-invalid = Some fields are not filled in correctly — they are marked below.
web-card-error-empty-comment = The comment is empty — write some text.
web-card-error-forbidden = Your role does not let you do this with this card.

web-field-error-not-editable = This field cannot be changed at this stage or by your role.
web-field-error-unknown = This pipeline has no such field.
web-field-error-invalid = This value does not fit the field.
web-field-error-phone = This does not look like a phone number.
web-field-error-choice = Choose a value from the list.

web-attach-choose = File
web-attach-upload = Upload
web-attach-limit = Up to { $max } MB.
web-attach-added = File attached to the card.
web-attach-unnamed = unnamed file
web-attach-telegram-only = (in Telegram only)
web-attach-kind-photo = Photo
web-attach-kind-video = Video
web-attach-kind-document = Document
web-attach-kind-voice = Voice
web-attach-error-too-big = The file is too large: the limit is { $max } MB.
web-attach-error-no-file = Choose a file to upload.
web-attach-error-empty = The file is empty.
web-attach-error-kind = This kind of file cannot be attached.

web-customers-title = Customers
web-customers-search = Phone, name or company
web-customers-search-placeholder = E.g. 067 123 45 67 or Smith
web-customers-search-submit = Search
web-customers-found = Found: { $count }
web-customers-recent = Recently added
web-customers-none-found = Nobody found. Check the number or try part of the name.
web-customers-empty = No customers yet.
web-customers-col-name = Name
web-customers-col-phones = Phones
web-customers-col-email = E-mail
web-customers-col-tags = Tags

web-customer-back = Customer search
web-customer-kind-person = Person
web-customer-kind-company = Company
web-customer-merged-badge = Merged into another customer
web-customer-addresses = Addresses
web-customer-companies = Companies
web-customer-members = People of the company
web-customer-owner = Owner
web-customer-source = Source
web-customer-balance = Balance
web-customer-balance-hint = The balance is the sum of the entries below; entries never change — a mistake is fixed with a new entry.
web-customer-cards = Cards ({ $count })
web-customer-no-cards = No cards with this customer (or none you have access to).
web-customer-vehicles = Vehicles
web-customer-no-vehicles = No vehicles.
web-customer-duplicates = Possible duplicates
web-customer-duplicates-hint = These may be the same customer. Check and merge them if so.
web-customer-no-duplicates = No similar customers found.
web-customer-duplicate-why = Matches on
web-duplicate-reason-phone = phone
web-duplicate-reason-email = e-mail
web-duplicate-reason-name = similar name
web-customer-was-merged = The customer “{ $name }” was merged into this one.
web-customer-error-not-found = Customer not found.
web-customer-error-merged = This customer has been merged into another one — make changes on the main customer.
web-customer-error-forbidden = Your role does not let you do this with this customer.

web-ledger-col-date = Date
web-ledger-col-kind = Kind
web-ledger-col-amount = Amount
web-ledger-col-note = Note
web-ledger-col-by = Entered by
web-ledger-empty = No entries yet.
web-ledger-amount = Amount, { $name }
web-ledger-submit = Add entry
web-ledger-sign-hint = A positive amount raises the customer's balance (payment, bonus); a negative one lowers it (a charge for a service).
web-ledger-posted = Entry added; the balance is updated.
web-ledger-kind-payment = Payment
web-ledger-kind-charge = Charge
web-ledger-kind-bonus = Bonus
web-ledger-kind-correction = Correction
web-ledger-error-amount = Enter the amount as a number, e.g. 1500 or -250.50.
web-ledger-error-zero = The amount cannot be zero.
web-ledger-error-precision = At most two digits after the decimal point.
web-ledger-error-too-large = The amount is too large.
web-ledger-error-kind = Choose the kind of entry.
web-ledger-error-currency = The CRM currency is misconfigured. Ask an administrator.

web-merge-title = Merge customers
web-merge-back = Back to the customer
web-merge-button = Merge…
web-merge-survivor = Stays
web-merge-duplicate = Will be merged in
web-merge-cards = Cards
web-merge-explain = Cards, vehicles, balance entries, attachments, phones and addresses of “{ $name }” move to the main customer. The record “{ $name }” stays in the history as merged. A merge cannot be undone.
web-merge-confirm = Merge
web-merge-swap = Keep the other one
web-merge-done = “{ $name }” merged in.
web-merge-error-self = A customer cannot be merged with itself.
web-merge-error-merged = One of the customers has already been merged into someone else. Reload the page.

web-apikeys-title = API keys
web-apikeys-intro = A website or landing page needs a key to send leads to the CRM (POST /api/v1/leads). Each source has its own key; its leads land in the pipeline you choose.
web-apikey-new = New key
web-apikey-source = Source
web-apikey-source-placeholder = E.g. site or landing-spring
web-apikey-pipeline = Pipeline
web-apikey-create = Create key
web-apikey-no-pipelines = There is no active pipeline — load a pack first.
web-apikeys-list = Sources ({ $count })
web-apikeys-empty = No keys yet.
web-apikey-active = Active
web-apikey-revoked-badge = Revoked
web-apikey-created = Created
web-apikey-last-used = Last lead
web-apikey-never-used = none yet
web-apikey-revoke = Revoke
web-apikey-revoked = The key of “{ $name }” is revoked: leads sent with it are no longer accepted.
web-apikey-already-revoked = “{ $name }” has no active key.
web-apikey-back = API keys
web-apikey-ready-title = Key created
web-apikey-endpoint = Endpoint
web-apikey-key-label = Key
web-apikey-once = The key is shown only now: we keep just its fingerprint. Copy it into the website's settings. If it gets lost, revoke it and create a new one.
web-apikey-hidden = The key is shown only once, right after it is created. If it got lost, revoke it and create a new one for the same source.
web-apikey-example = Example request
web-apikey-copy-example = Copy example
web-apikey-example-hint = A lead needs a name and a phone or an e-mail. Repeating a request with the same Idempotency-Key does not create a second lead.
web-apikey-example-name = Jane Smith
web-apikey-error-source-required = Enter the source name.
web-apikey-error-source-too-long = The source name is too long: at most { $max } characters.
web-apikey-error-pipeline = No such pipeline. Choose one from the list.
web-apikey-error-source-exists = This source already has an active key. Revoke the old one first to issue a new one.
web-size-b = { $count } B
web-size-kb = { $count } KB
web-size-mb = { $count } MB

## Dashboard (webadmin/dashboard.py)
web-nav-dashboard = Dashboard
web-dashboard-title = Dashboard
web-dashboard-empty = Nothing to show here for your roles yet.
web-widget-cards_by_stage = Open cards by stage
web-widget-count = Cards
web-widget-none = No open cards.

## Permission actions, by key with dots as dashes (core.modules)
action-card-view = View cards
action-card-create = Create cards
action-card-edit = Edit card fields
action-card-move = Move cards
action-card-comment = Comment on cards
action-card-attach = Attach files to cards
action-card-assign = Reassign cards
action-customer-view = View customers
action-customer-create = Create customers
action-customer-edit = Edit customers
action-customer-merge = Merge duplicate customers
action-ledger-post = Post to a customer's balance
action-vehicle-view = View vehicles
action-vehicle-edit = Edit vehicles
action-task-view = View tasks
action-task-create = Create tasks
action-task-close = Close tasks
action-line-edit = Add and edit card lines
action-line-decide = Approve or decline lines for the customer
action-reference-edit = Edit references
action-report-view = View the dashboard and reports
action-staff-manage = Invite and manage staff
action-import-run = Import data
action-api_key-manage = Manage API keys
action-web-login = Sign in to the web panel
action-profile-edit = Change own language
action-help-view = Read the help

## Move guards (core.guards)
web-card-error-guard = The card was not moved: { $rule }

## A card's lines and links on its page (webadmin/cards.py)
web-card-lines = Lines
web-line-title = Item
web-line-quantity = Qty
web-line-price = Price
web-line-sum = Sum
web-line-decision = Customer
web-line-decision-pending = waiting
web-line-decision-approved = approved
web-line-decision-declined = declined
web-line-total = Total, declined lines not counted
web-line-pending-count = waiting for a decision: { $count }
web-card-link-hidden = a linked card
