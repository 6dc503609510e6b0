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
