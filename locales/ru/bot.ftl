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
notify-task-reissued =
    { $number ->
        [none] 🔁 Задача «{ $title }» не выполнена вовремя и открыта заново с пометкой «просрочено». Исполнитель: { $assignee }.
       *[other] 🔁 Задача «{ $title }» по карточке { $number } не выполнена вовремя и открыта заново с пометкой «просрочено». Исполнитель: { $assignee }.
    }

## pipeline engine
notify-card-stage = 📌 { $number } «{ $title }» → { $stage }
notify-card-assigned = 👤 { $number } «{ $title }» теперь на вас.
notify-customer-stage = Ваш заказ { $number }: { $stage }
notify-card-sla = ⏰ { $number } «{ $title }» дольше { $hours } ч на этапе «{ $stage }»

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

## imports
imports-entity-customers = Клиенты
imports-entity-vehicles = Автомобили
imports-entity-cards = Карточки
imports-which-entity = Что в этом файле?
imports-which-pipeline = В какую воронку загрузить карточки?
imports-dry-run = Проверка перед импортом
imports-rows = строк
imports-count-create = новых
imports-count-update = обновить
imports-count-skip = уже в базе, без изменений
imports-count-reject = отклонено
imports-first-rejected = Первые отклонённые строки:
imports-row = Строка
imports-same-as-row = как строка
imports-nothing-to-do = Импортировать нечего: всё уже в базе или отклонено.
imports-columns = Колонки
imports-run = ▶️ Запустить импорт
imports-cancel = ✖️ Отмена
imports-cancelled = Импорт отменён.
imports-already-started = Этот импорт уже запущен или отменён.
imports-queued = Импорт в очереди…
imports-checking = Проверяю строки…
imports-progress = Загружено
imports-done = Импорт завершён
imports-failed = Импорт остановлен
imports-error-report = Отклонённые строки с причинами. Исправьте их и пришлите этот файл — они загрузятся.
imports-too-large = Файл слишком большой для бота
imports-unreadable = Не удалось прочитать файл
imports-mapping-problem = Колонки не подходят
imports-field-external-id = внешний ID
imports-field-name = имя
imports-field-kind = тип
imports-field-phone = телефон
imports-field-email = e-mail
imports-field-address = адрес
imports-field-tags = теги
imports-field-notes = примечание
imports-field-source = источник
imports-field-vin = VIN
imports-field-plate = госномер
imports-field-make = марка
imports-field-model = модель
imports-field-year = год
imports-field-owner-phone = телефон владельца
imports-field-owner-external-id = внешний ID владельца
imports-field-pipeline = воронка
imports-field-title = название
imports-field-stage = этап
imports-field-customer-phone = телефон клиента
imports-field-customer-external-id = внешний ID клиента
imports-field-customer-name = имя клиента
imports-reason-unreadable = файл повреждён или это не таблица
imports-reason-empty = файл пустой
imports-reason-unknown-format = импортировать можно только .csv, .xlsx и .xls
imports-reason-too-many-rows = слишком много строк
imports-reason-file-missing = файла больше нет
imports-reason-file-changed = файл изменился после проверки
imports-reason-forbidden = нет прав
imports-reason-entity-required = неизвестно, что в файле
imports-reason-mapping-field-required = нет обязательной колонки
imports-reason-mapping-identity-required = нужна колонка VIN, госномера или внешнего ID
imports-reason-mapping-unknown-column = такой колонки нет
imports-reason-mapping-unknown-field = неизвестное поле
imports-reason-mapping-duplicate-field = две колонки на одно поле
imports-reason-duplicate-in-file = повторяет строку выше
imports-reason-invalid-phone = это не номер телефона
imports-reason-invalid-email = это не адрес e-mail
imports-reason-invalid-kind = неизвестный тип клиента
imports-reason-name-required = нет имени
imports-reason-name-too-long = слишком длинное имя
imports-reason-address-too-long = слишком длинный адрес
imports-reason-ambiguous-match = подходит нескольким клиентам в базе
imports-reason-external-id-conflict = у найденной записи другой внешний ID
imports-reason-vin-length = в VIN 17 символов
imports-reason-vin-characters = в VIN только латинские буквы и цифры
imports-reason-vin-forbidden-letters = в VIN не бывает букв I, O и Q
imports-reason-vin-check-digit = не сходится контрольная цифра VIN
imports-reason-plate-too-long = слишком длинный госномер
imports-reason-invalid-year = это не год выпуска
imports-reason-identity-required = нет ни VIN, ни госномера, ни внешнего ID
imports-reason-owner-not-found = владельца нет в базе
imports-reason-duplicate-vin = этот VIN у другого автомобиля
imports-reason-pipeline-required = не указана воронка
imports-reason-unknown-pipeline = неизвестная воронка
imports-reason-unknown-stage = неизвестный этап
imports-reason-customer-not-found = клиента нет в базе
imports-reason-stage-unreachable = карточку нельзя перевести на этот этап из текущего
imports-reason-fields-missing = не заполнено поле, нужное для перехода
imports-reason-field-invalid = неверное значение
imports-reason-field-unknown-choice = нет такого варианта
imports-reason-field-not-editable = это поле нельзя менять на этом этапе
imports-reason-field-unknown-field = в воронке нет такого поля
imports-reason-field-invalid-phone = это не номер телефона
imports-reason-error = непредвиденная ошибка

## Move guards (core.guards)
card-guard-refused = Не переведено: { $rule }
guard-field = сначала заполните поле «{ $field }».
guard-balance-zero = сначала нужно закрыть баланс клиента.
guard-unavailable = правило «{ $check }» сейчас не проверить (его модуль выключен).
guard-lines-decided = { $count ->
    [one] { $count } строка ещё ждёт решения клиента.
    [few] { $count } строки ещё ждут решения клиента.
   *[other] { $count } строк ещё ждут решения клиента.
}
guard-lines-approved = { $count ->
    [one] нужно согласие клиента хотя бы на { $count } строку.
    [few] нужно согласие клиента хотя бы на { $count } строки.
   *[other] нужно согласие клиента хотя бы на { $count } строк.
}
guard-lines-state = { $count ->
    [one] { $count } строка ещё не в состоянии «{ $state }».
    [few] { $count } строки ещё не в состоянии «{ $state }».
   *[other] { $count } строк ещё не в состоянии «{ $state }».
}
imports-reason-guard = не выполнено правило перевода

## A conversation left half-way (flows/drafts.py)
draft-pending = Вы не закончили предыдущий шаг. Продолжить его или бросить?
draft-continue = ▶ Продолжить
draft-drop = ✖️ Бросить
draft-gone = Этот шаг больше не открыт.

## A card's lines and links (flows/render.py)
card-lines = Строки
card-lines-total = Итого
card-lines-pending = ждут решения: { $count }
card-link-hidden = связанная карточка

## A quote the customer decides line by line (core.lines, flows/lines.py)
line-approve = ✅ Согласен
line-decline = ❌ Отказаться
line-quote-intro = Заказ { $number }: согласуйте, пожалуйста, каждую позицию ({ $count }).
line-approved = ✅ Согласовано: { $line }
line-declined = ❌ Отказ: { $line }
line-changed = Эта позиция изменилась, вот она сейчас.
line-gone = Этой позиции в заказе больше нет.
card-quote-send = 📨 Отправить клиенту на согласование
card-quote-sent = Отправлено клиенту: { $count }
line-error-customer-unreachable = Клиент ещё не запускал бота: отправить некуда.
line-error-nothing-to-decide = Нет строк, ждущих решения.
notify-line-decided = { $number }: клиент { $decision } «{ $line }»
line-decision-approved = согласовал
line-decision-declined = отказался от

## Handing a card over (flows/cards.py)
card-assign = 👤 Передать
card-assign-ask = Кому передать { $number }?
card-assigned = Теперь у: { $name }.
