error-generic = Что-то пошло не так, мы уже разбираемся. Попробуйте ещё раз через минуту.
unknown-user = Здравствуйте! Я бот компании. Клиентам: отправьте /start и поделитесь номером телефона. Сотрудникам: попросите у администратора ссылку-приглашение.
not-understood = Не понял сообщение. Откройте меню: /menu
button-outdated = Эта кнопка устарела. Откройте меню заново: /menu
forbidden = Недостаточно прав для этого действия.
invite-unknown = Ссылка-приглашение не найдена. Попросите у администратора новую.
invite-used = Это приглашение уже использовано. Попросите у администратора новое.
invite-expired = Срок действия приглашения истёк. Попросите у администратора новое.
invite-role-unknown = Такой роли больше нет. Откройте меню заново: /menu
staff-inactive = Ваша учётная запись отключена. Обратитесь к администратору.
invite-accepted = Добро пожаловать, { $name }! Учётная запись привязана к этому Telegram.
menu-title = { $name }, ваши роли: { $roles }.
    Выберите действие:
menu-invite = 👤 Пригласить сотрудника
menu-web = 🌐 Веб-панель
menu-language = 🌍 Язык
menu-help = ❓ Помощь
cmd-menu = Главное меню
cmd-invite = Пригласить сотрудника
cmd-web = Ссылка для входа в веб-панель
cmd-language = Сменить язык
cmd-help = Помощь
invite-pick-role = Для какой роли приглашение?
invite-created = Приглашение для роли «{ $role }» готово. Отправьте сотруднику ссылку:
    { $link }
    В песочнице вставьте в чат команду: { $command }
    Ссылка одноразовая и действует { $hours } ч.
panel-link = Ваша ссылка для входа в веб-панель (одноразовая, действует { $minutes } мин):
    { $url }
language-pick = Выберите язык:
language-set = Язык: русский.
help-staff = Я передаю заказы от роли к роли и напоминаю о задачах.
    /menu — главное меню
    /tasks — мои задачи
    /cards — мои карточки
    /find — найти клиента
    /web — войти в веб-панель без пароля
    /language — сменить язык
help-admin = Я передаю заказы от роли к роли и напоминаю о задачах.
    /menu — главное меню
    /tasks — мои задачи
    /cards — мои карточки
    /find — найти клиента
    /invite — пригласить сотрудника (ссылка на одну роль)
    /web — войти в веб-панель без пароля
    /language — сменить язык

## notifications
card-open = Открыть карточку
notify-task-new =
    { $number ->
        [none] 📌 Новая задача: { $title }
       *[other] 📌 Новая задача по карточке { $number }: { $title }
    }
notify-task-overdue =
    { $number ->
        [none] ⏰ Просрочена задача «{ $title }». Исполнитель: { $assignee }.
       *[other] ⏰ Просрочена задача «{ $title }» по карточке { $number }. Исполнитель: { $assignee }.
    }
notify-task-follow-up =
    { $number ->
        [none] 🔁 Задача «{ $title }» так и не выполнена — создана повторная задача с отметкой «просрочено». Исполнитель: { $assignee }.
       *[other] 🔁 Задача «{ $title }» по карточке { $number } так и не выполнена — создана повторная задача с отметкой «просрочено». Исполнитель: { $assignee }.
    }

## pipeline engine
notify-card-stage = 📌 { $number } «{ $title }» → { $stage }

## cards, tasks, search
menu-tasks = ✅ Мои задачи
menu-cards = 📋 Мои карточки
menu-find = 🔎 Найти клиента
cmd-tasks = Мои задачи
cmd-cards = Мои карточки
cmd-find = Найти клиента по телефону, VIN или имени
value-yes = да
value-no = нет
flow-cancel = ✖️ Отмена
flow-cancelled = Отменено.
flow-done = ✔️ Готово
cards-empty = У вас нет открытых карточек.
cards-title = Ваши открытые карточки: { $total } (стр. { $page } из { $pages })
card-stage = Этап
card-customer = Клиент
card-assignee = Ответственный
card-priority = Приоритет
card-urgent = 🔥 Срочно
card-deadline = Срок
card-comment = 💬 Комментарий
card-attach = 📎 Файлы
card-history = 🕓 История
card-not-found = Карточка не найдена или вам недоступна.
card-moved = ✅ Карточка перемещена.
card-changed = ⚠️ Карточку уже изменили, пока вы смотрели. Вот актуальная:
card-transition-unavailable = ⚠️ Этот переход сейчас недоступен. Вот актуальная карточка:
card-closed = Карточка уже закрыта.
card-reason-ask = Напишите причину одним сообщением:
card-fields-missing = Чтобы перейти дальше, заполните: { $fields }.
card-field-ask = Введите «{ $field }»:
card-field-invalid = Не получилось принять «{ $field }»: { $error }. Введите ещё раз:
card-field-not-editable = Поле «{ $field }» вам сейчас менять нельзя, поэтому перейти дальше не получится. Обратитесь к руководителю.
field-error-invalid = значение не в том формате
field-error-invalid-phone = это не номер телефона
field-error-unknown-choice = такого варианта нет в списке
card-comment-ask = Напишите комментарий к { $number }:
card-comment-empty = Пустой комментарий не сохранить. Напишите текст:
card-comment-saved = 💬 Комментарий сохранён.
card-attach-ask = Пришлите к { $number } фото, видео, документы или голосовые — можно альбомом. Когда закончите, нажмите «Готово».
card-attach-saved = 📎 Файл сохранён (всего: { $count }). Пришлите ещё или нажмите «Готово».
card-attach-album = 📎 Альбом: сохранено { $parts } (всего: { $count }). Пришлите ещё или нажмите «Готово».
card-attach-too-big = Файл больше { $mb } МБ — не сохранён.
card-attach-kind = Сюда можно прислать фото, видео, документ или голосовое. Когда закончите, нажмите «Готово».
card-attach-done = 📎 Добавлено файлов: { $count }.
card-history-title = История { $number }:
card-history-created = создана
card-history-system = система
card-history-reason = Причина
lead-taken = 👍 Лид теперь ваш.
lead-taken-by-other = Этот лид уже взял другой сотрудник.
lead-later = ⏰ Хорошо, напомню перезвонить через { $hours } ч.
lead-reject-ask = Почему отказ по { $number }? Напишите причину:
lead-call-back-task = Перезвонить клиенту
tasks-empty = Открытых задач нет 👍
tasks-title = Ваши задачи: { $total } (стр. { $page } из { $pages })
task-overdue = ПРОСРОЧЕНО
task-due = до
task-done = Задача выполнена
task-already-closed = Эта задача уже закрыта.
find-ask = Введите телефон, VIN, госномер или часть имени клиента:
find-too-short = Слишком коротко — введите хотя бы 3 символа:
find-nothing = Никого не нашёл. Попробуйте иначе (телефон, VIN, госномер, имя) или нажмите «Отмена».
find-results = Найдено: { $count }
customer-welcome = Здравствуйте! Это бот компании.
    Если вы наш клиент — нажмите кнопку ниже и поделитесь номером телефона: мы найдём ваши заказы.
    Если вы сотрудник — попросите у администратора ссылку-приглашение.
customer-share-button = 📱 Поделиться номером
customer-own-contact = Поделитесь, пожалуйста, своим номером — кнопкой ниже.
customer-phone-invalid = Не получилось распознать номер телефона. Попробуйте ещё раз: /start
customer-thanks-new = Спасибо, { $name }! Мы записали ваш номер и свяжемся с вами.
customer-thanks = Спасибо, { $name }! Мы вас узнали.
customer-again = С возвращением, { $name }!
customer-orders = Ваши открытые заказы:
customer-no-orders = Открытых заказов сейчас нет — мы свяжемся с вами.

## lead intake
lead-new =
    🆕 Новый лид { $number }
    Имя: { $name }
    Телефон: { $phone }
    E-mail: { $email }
    Источник: { $source }
    Сообщение: { $message }
lead-button-take = ✅ Беру
lead-button-later = ⏰ Перезвоню позже
lead-button-reject = ❌ Отказ
