error-generic = Something went wrong on our side; we are looking into it. Please try again in a minute.
unknown-user = Hello! I am the company's work bot. To get started, ask your admin for an invite link.
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
    /web — log in to the web panel without a password
    /language — change language
help-admin = I pass orders from role to role and remind you of your tasks.
    /menu — main menu
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

## pipeline engine
notify-card-stage = 📌 { $number } “{ $title }” → { $stage }
