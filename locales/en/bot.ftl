error-generic = Something went wrong on our side; we are looking into it. Please try again in a minute.
unknown-user = Hello! I am the company's bot. Customers: send /start and share your phone number. Staff: ask your admin for an invite link.
not-understood = I did not understand that. Open the menu: /menu
button-outdated = This button is out of date. Open the menu again: /menu
forbidden = You are not allowed to do that.
invite-unknown = This invite link was not found. Ask your admin for a new one.
invite-used = This invite has already been used. Ask your admin for a new one.
invite-expired = This invite has expired. Ask your admin for a new one.
invite-role-unknown = That role no longer exists. Open the menu again: /menu
staff-inactive = Your account is disabled. Please contact your admin.
invite-accepted = Welcome, { $name }! Your account is now linked to this Telegram.
menu-title = { $name }, your roles: { $roles }.
    Choose an action:
menu-invite = 👤 Invite a colleague
menu-web = 🌐 Web panel
menu-language = 🌍 Language
menu-help = ❓ Help
cmd-menu = Main menu
cmd-invite = Invite a colleague
cmd-web = Log in to the web panel
cmd-language = Change language
cmd-help = Help
invite-pick-role = Which role is the invite for?
invite-created = The invite for the “{ $role }” role is ready. Send your colleague this link:
    { $link }
    In the sandbox, paste this command into the chat: { $command }
    The link works once and expires in { $hours } h.
panel-link = Your web panel login link (works once, expires in { $minutes } min):
    { $url }
language-pick = Choose a language:
language-set = Language: English.
help-staff = I pass orders from role to role and remind you of your tasks.
    /menu — main menu
    /tasks — my tasks
    /cards — my cards
    /find — find a customer
    /web — log in to the web panel without a password
    /language — change language
help-admin = I pass orders from role to role and remind you of your tasks.
    /menu — main menu
    /tasks — my tasks
    /cards — my cards
    /find — find a customer
    /invite — invite a colleague (a link for one role)
    /web — log in to the web panel without a password
    /language — change language

## notifications
card-open = Open card
notify-task-new =
    { $number ->
        [none] 📌 New task: { $title }
       *[other] 📌 New task on card { $number }: { $title }
    }
notify-task-overdue =
    { $number ->
        [none] ⏰ Overdue task “{ $title }”. Assignee: { $assignee }.
       *[other] ⏰ Overdue task “{ $title }” on card { $number }. Assignee: { $assignee }.
    }
notify-task-follow-up =
    { $number ->
        [none] 🔁 Task “{ $title }” is still not done — a follow-up task was created and marked overdue. Assignee: { $assignee }.
       *[other] 🔁 Task “{ $title }” on card { $number } is still not done — a follow-up task was created and marked overdue. Assignee: { $assignee }.
    }
notify-task-reissued =
    { $number ->
        [none] 🔁 Task “{ $title }” was not done in time, so it is open again, marked overdue. Assignee: { $assignee }.
       *[other] 🔁 Task “{ $title }” on card { $number } was not done in time, so it is open again, marked overdue. Assignee: { $assignee }.
    }

## pipeline engine
notify-card-stage = 📌 { $number } “{ $title }” → { $stage }
notify-card-assigned = 👤 { $number } “{ $title }” is now yours.
notify-customer-stage = Your order { $number }: { $stage }
notify-card-sla = ⏰ { $number } “{ $title }” has been in “{ $stage }” longer than { $hours } h

## lead intake
lead-new =
    🆕 New lead { $number }
    Name: { $name }
    Phone: { $phone }
    E-mail: { $email }
    Source: { $source }
    Message: { $message }
lead-button-take = ✅ I'll take it
lead-button-later = ⏰ Call back later
lead-button-reject = ❌ Reject

## cards, tasks, search
menu-tasks = ✅ My tasks
menu-cards = 📋 My cards
menu-find = 🔎 Find a customer
cmd-tasks = My tasks
cmd-cards = My cards
cmd-find = Find a customer by phone, VIN or name
value-yes = yes
value-no = no
flow-cancel = ✖️ Cancel
flow-cancelled = Cancelled.
flow-done = ✔️ Done
cards-empty = You have no open cards.
cards-title = Your open cards: { $total } (page { $page } of { $pages })
card-stage = Stage
card-customer = Customer
card-assignee = Assignee
card-priority = Priority
card-urgent = 🔥 Urgent
card-deadline = Deadline
card-comment = 💬 Comment
card-attach = 📎 Files
card-history = 🕓 History
card-not-found = This card was not found or is not available to you.
card-moved = ✅ Card moved.
card-changed = ⚠️ The card has changed while you were looking at it. Here is the current one:
card-transition-unavailable = ⚠️ This move is not available any more. Here is the current card:
card-closed = This card is already closed.
card-reason-ask = Please write the reason in one message:
card-fields-missing = To move on, fill in: { $fields }.
card-field-ask = Enter “{ $field }”:
card-field-invalid = Could not accept “{ $field }”: { $error }. Please enter it again:
card-field-not-editable = You may not change “{ $field }” at this stage, so the card cannot move on. Please ask your head of department.
field-error-invalid = the value is not in the right format
field-error-invalid-phone = this is not a phone number
field-error-unknown-choice = there is no such option in the list
card-comment-ask = Write a comment on { $number }:
card-comment-empty = An empty comment cannot be saved. Please write some text:
card-comment-saved = 💬 Comment saved.
card-attach-ask = Send photos, videos, documents or voice messages for { $number } — albums welcome. Press “Done” when you are finished.
card-attach-saved = 📎 File saved ({ $count } so far). Send more or press “Done”.
card-attach-album = 📎 Album: { $parts } saved ({ $count } so far). Send more or press “Done”.
card-attach-too-big = The file is larger than { $mb } MB and was not saved.
card-attach-kind = You can send a photo, video, document or voice message here. Press “Done” when you are finished.
card-attach-done = 📎 Files added: { $count }.
card-history-title = History of { $number }:
card-history-created = created
card-history-system = system
card-history-reason = Reason
lead-taken = 👍 The lead is yours now.
lead-taken-by-other = Another colleague has already taken this lead.
lead-later = ⏰ OK, I will remind you to call back in { $hours } h.
lead-reject-ask = Why is { $number } rejected? Please write the reason:
lead-call-back-task = Call the customer back
tasks-empty = No open tasks 👍
tasks-title = Your tasks: { $total } (page { $page } of { $pages })
task-overdue = OVERDUE
task-due = due
task-done = Task done
task-already-closed = This task is already closed.
find-ask = Enter a phone number, VIN, number plate or part of the customer’s name:
find-too-short = Too short — please enter at least 3 characters:
find-nothing = Nobody found. Try another way (phone, VIN, plate, name) or press “Cancel”.
find-results = Found: { $count }
customer-welcome = Hello! This is the company’s bot.
    If you are our customer, press the button below to share your phone number and we will find your orders.
    If you are staff, ask your admin for an invite link.
customer-share-button = 📱 Share my phone number
customer-own-contact = Please share your own number with the button below.
customer-phone-invalid = Could not read that phone number. Please try again: /start
customer-thanks-new = Thank you, { $name }! We have your number and will contact you.
customer-thanks = Thank you, { $name }! We know you.
customer-again = Welcome back, { $name }!
customer-orders = Your open orders:
customer-no-orders = You have no open orders right now — we will contact you.

## imports
imports-entity-customers = Customers
imports-entity-vehicles = Vehicles
imports-entity-cards = Cards
imports-which-entity = What does this file hold?
imports-which-pipeline = Which pipeline do these cards go to?
imports-dry-run = Check before import
imports-rows = rows
imports-count-create = new
imports-count-update = to update
imports-count-skip = already in the base, unchanged
imports-count-reject = rejected
imports-first-rejected = First rejected rows:
imports-row = Row
imports-same-as-row = same as row
imports-nothing-to-do = Nothing to import: everything is in the base already or rejected.
imports-columns = Columns
imports-run = ▶️ Run import
imports-cancel = ✖️ Cancel
imports-cancelled = Import cancelled.
imports-already-started = This import has already been started or cancelled.
imports-queued = Import queued…
imports-checking = Checking the rows…
imports-progress = Imported
imports-done = Import finished
imports-failed = Import stopped
imports-error-report = Rejected rows with reasons. Fix them and send this file back to import them.
imports-too-large = The file is too large for the bot
imports-unreadable = Cannot read the file
imports-mapping-problem = The columns do not fit
imports-field-external-id = external ID
imports-field-name = name
imports-field-kind = type
imports-field-phone = phone
imports-field-email = e-mail
imports-field-address = address
imports-field-tags = tags
imports-field-notes = notes
imports-field-source = source
imports-field-vin = VIN
imports-field-plate = plate
imports-field-make = make
imports-field-model = model
imports-field-year = year
imports-field-owner-phone = owner's phone
imports-field-owner-external-id = owner's external ID
imports-field-pipeline = pipeline
imports-field-title = title
imports-field-stage = stage
imports-field-customer-phone = customer's phone
imports-field-customer-external-id = customer's external ID
imports-field-customer-name = customer's name
imports-reason-unreadable = the file is damaged or not a spreadsheet
imports-reason-empty = the file is empty
imports-reason-unknown-format = only .csv, .xlsx and .xls files can be imported
imports-reason-too-many-rows = too many rows
imports-reason-file-missing = the file is gone
imports-reason-file-changed = the file changed after the check
imports-reason-forbidden = not allowed
imports-reason-entity-required = it is not known what the file holds
imports-reason-mapping-field-required = a required column is missing
imports-reason-mapping-identity-required = a VIN, plate or external ID column is needed
imports-reason-mapping-unknown-column = there is no such column
imports-reason-mapping-unknown-field = unknown field
imports-reason-mapping-duplicate-field = two columns for one field
imports-reason-duplicate-in-file = repeats an earlier row
imports-reason-invalid-phone = not a phone number
imports-reason-invalid-email = not an e-mail address
imports-reason-invalid-kind = unknown customer type
imports-reason-name-required = no name
imports-reason-name-too-long = the name is too long
imports-reason-address-too-long = the address is too long
imports-reason-ambiguous-match = matches several customers in the base
imports-reason-external-id-conflict = the record found has another external ID
imports-reason-vin-length = a VIN has 17 characters
imports-reason-vin-characters = a VIN has only Latin letters and digits
imports-reason-vin-forbidden-letters = a VIN never has I, O or Q
imports-reason-vin-check-digit = the VIN check digit does not match
imports-reason-plate-too-long = the plate is too long
imports-reason-invalid-year = not a model year
imports-reason-identity-required = no VIN, plate or external ID
imports-reason-owner-not-found = the owner is not in the base
imports-reason-duplicate-vin = another vehicle has this VIN
imports-reason-pipeline-required = no pipeline
imports-reason-unknown-pipeline = unknown pipeline
imports-reason-unknown-stage = unknown stage
imports-reason-customer-not-found = the customer is not in the base
imports-reason-stage-unreachable = the card cannot move to this stage from where it is
imports-reason-fields-missing = a field required to leave the stage is empty
imports-reason-field-invalid = wrong value
imports-reason-field-unknown-choice = not one of the choices
imports-reason-field-not-editable = this field cannot be changed at this stage
imports-reason-field-unknown-field = the pipeline has no such field
imports-reason-field-invalid-phone = not a phone number
imports-reason-error = unexpected error

## Move guards (core.guards)
card-guard-refused = Not moved: { $rule }
guard-field = the field «{ $field }» must be filled in first.
guard-balance-zero = the customer's balance must be settled first.
guard-unavailable = the rule «{ $check }» cannot be checked now (its module is off).
guard-lines-decided = { $count ->
    [one] one line still waits for the customer's decision.
   *[other] { $count } lines still wait for the customer's decision.
}
guard-lines-approved = { $count ->
    [one] at least one line must be approved.
   *[other] at least { $count } lines must be approved.
}
guard-lines-state = { $count ->
    [one] one line is not yet «{ $state }».
   *[other] { $count } lines are not yet «{ $state }».
}
imports-reason-guard = a move rule is not met

## A conversation left half-way (flows/drafts.py)
draft-pending = You have not finished the previous step. Continue it or drop it?
draft-continue = ▶ Continue
draft-drop = ✖️ Drop
draft-gone = That step is no longer open.

## A card's lines and links (flows/render.py)
card-lines = Lines
card-lines-total = Total
card-lines-pending = waiting for a decision: { $count }
card-link-hidden = a linked card

## A quote the customer decides line by line (core.lines, flows/lines.py)
line-approve = ✅ Approve
line-decline = ❌ Decline
line-quote-intro = Order { $number }: please approve or decline each item ({ $count }).
line-approved = ✅ Approved: { $line }
line-declined = ❌ Declined: { $line }
line-changed = This item has changed; here it is as it is now.
line-gone = This item is no longer in the order.
card-quote-send = 📨 Send the quote
card-quote-sent = Sent to the customer: { $count }
line-error-customer-unreachable = The customer has not started the bot yet: there is nowhere to send it.
line-error-nothing-to-decide = No line waits for a decision.
notify-line-decided = { $number }: the customer { $decision } «{ $line }»
line-decision-approved = approved
line-decision-declined = declined

## Handing a card over (flows/cards.py)
card-assign = 👤 Hand over
card-assign-ask = Who takes { $number }?
card-assigned = Now with { $name }.
