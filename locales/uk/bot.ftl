error-generic = Щось пішло не так, ми вже розбираємося. Спробуйте ще раз за хвилину.
unknown-user = Вітаю! Я бот компанії. Клієнтам: надішліть /start і поділіться номером телефону. Співробітникам: попросіть в адміністратора посилання-запрошення.
not-understood = Не зрозумів повідомлення. Відкрийте меню: /menu
button-outdated = Ця кнопка застаріла. Відкрийте меню знову: /menu
forbidden = Недостатньо прав для цієї дії.
invite-unknown = Посилання-запрошення не знайдено. Попросіть в адміністратора нове.
invite-used = Це запрошення вже використано. Попросіть в адміністратора нове.
invite-expired = Термін дії запрошення минув. Попросіть в адміністратора нове.
invite-role-unknown = Такої ролі більше немає. Відкрийте меню знову: /menu
staff-inactive = Ваш обліковий запис вимкнено. Зверніться до адміністратора.
invite-accepted = Ласкаво просимо, { $name }! Обліковий запис прив'язано до цього Telegram.
menu-title = { $name }, ваші ролі: { $roles }.
    Оберіть дію:
menu-invite = 👤 Запросити співробітника
menu-web = 🌐 Вебпанель
menu-language = 🌍 Мова
menu-help = ❓ Довідка
cmd-menu = Головне меню
cmd-invite = Запросити співробітника
cmd-web = Посилання для входу у вебпанель
cmd-language = Змінити мову
cmd-help = Довідка
invite-pick-role = Для якої ролі запрошення?
invite-created = Запрошення для ролі «{ $role }» готове. Надішліть співробітнику посилання:
    { $link }
    У пісочниці вставте в чат команду: { $command }
    Посилання одноразове й діє { $hours } год.
panel-link = Ваше посилання для входу у вебпанель (одноразове, діє { $minutes } хв):
    { $url }
language-pick = Оберіть мову:
language-set = Мова: українська.
help-staff = Я передаю замовлення від ролі до ролі та нагадую про завдання.
    /menu — головне меню
    /tasks — мої завдання
    /cards — мої картки
    /find — знайти клієнта
    /web — увійти у вебпанель без пароля
    /language — змінити мову
help-admin = Я передаю замовлення від ролі до ролі та нагадую про завдання.
    /menu — головне меню
    /tasks — мої завдання
    /cards — мої картки
    /find — знайти клієнта
    /invite — запросити співробітника (посилання на одну роль)
    /web — увійти у вебпанель без пароля
    /language — змінити мову

## notifications
card-open = Відкрити картку
notify-task-new =
    { $number ->
        [none] 📌 Нове завдання: { $title }
       *[other] 📌 Нове завдання за карткою { $number }: { $title }
    }
notify-task-overdue =
    { $number ->
        [none] ⏰ Прострочено завдання «{ $title }». Виконавець: { $assignee }.
       *[other] ⏰ Прострочено завдання «{ $title }» за карткою { $number }. Виконавець: { $assignee }.
    }
notify-task-follow-up =
    { $number ->
        [none] 🔁 Завдання «{ $title }» досі не виконано — створено повторне завдання з позначкою «прострочено». Виконавець: { $assignee }.
       *[other] 🔁 Завдання «{ $title }» за карткою { $number } досі не виконано — створено повторне завдання з позначкою «прострочено». Виконавець: { $assignee }.
    }
notify-task-reissued =
    { $number ->
        [none] 🔁 Завдання «{ $title }» не виконано вчасно, його відкрито знову з позначкою «прострочено». Виконавець: { $assignee }.
       *[other] 🔁 Завдання «{ $title }» по картці { $number } не виконано вчасно, його відкрито знову з позначкою «прострочено». Виконавець: { $assignee }.
    }

## pipeline engine
notify-card-stage = 📌 { $number } «{ $title }» → { $stage }
notify-card-assigned = 👤 { $number } «{ $title }» тепер на вас.
notify-customer-stage = Ваше замовлення { $number }: { $stage }
notify-card-sla = ⏰ { $number } «{ $title }» довше { $hours } год на етапі «{ $stage }»

## lead intake
lead-new =
    🆕 Новий лід { $number }
    Ім’я: { $name }
    Телефон: { $phone }
    E-mail: { $email }
    Джерело: { $source }
    Повідомлення: { $message }
lead-button-take = ✅ Беру
lead-button-later = ⏰ Передзвоню пізніше
lead-button-reject = ❌ Відмова

## cards, tasks, search
menu-tasks = ✅ Мої завдання
menu-cards = 📋 Мої картки
menu-find = 🔎 Знайти клієнта
cmd-tasks = Мої завдання
cmd-cards = Мої картки
cmd-find = Знайти клієнта за телефоном, VIN або ім’ям
value-yes = так
value-no = ні
flow-cancel = ✖️ Скасувати
flow-cancelled = Скасовано.
flow-done = ✔️ Готово
cards-empty = У вас немає відкритих карток.
cards-title = Ваші відкриті картки: { $total } (стор. { $page } з { $pages })
card-stage = Етап
card-customer = Клієнт
card-assignee = Відповідальний
card-priority = Пріоритет
card-urgent = 🔥 Терміново
card-deadline = Термін
card-comment = 💬 Коментар
card-attach = 📎 Файли
card-history = 🕓 Історія
card-not-found = Картку не знайдено або вона вам недоступна.
card-moved = ✅ Картку переміщено.
card-changed = ⚠️ Картку вже змінили, поки ви її переглядали. Ось актуальна:
card-transition-unavailable = ⚠️ Цей перехід зараз недоступний. Ось актуальна картка:
card-closed = Картку вже закрито.
card-reason-ask = Напишіть причину одним повідомленням:
card-fields-missing = Щоб перейти далі, заповніть: { $fields }.
card-field-ask = Введіть «{ $field }»:
card-field-invalid = Не вдалося прийняти «{ $field }»: { $error }. Введіть ще раз:
card-field-not-editable = Поле «{ $field }» вам зараз змінювати не можна, тому перейти далі не вийде. Зверніться до керівника.
field-error-invalid = значення не в тому форматі
field-error-invalid-phone = це не номер телефону
field-error-unknown-choice = такого варіанта немає у списку
card-comment-ask = Напишіть коментар до { $number }:
card-comment-empty = Порожній коментар не зберегти. Напишіть текст:
card-comment-saved = 💬 Коментар збережено.
card-attach-ask = Надішліть до { $number } фото, відео, документи або голосові — можна альбомом. Коли закінчите, натисніть «Готово».
card-attach-saved = 📎 Файл збережено (усього: { $count }). Надішліть ще або натисніть «Готово».
card-attach-album = 📎 Альбом: збережено { $parts } (усього: { $count }). Надішліть ще або натисніть «Готово».
card-attach-too-big = Файл більший за { $mb } МБ — не збережено.
card-attach-kind = Сюди можна надіслати фото, відео, документ або голосове. Коли закінчите, натисніть «Готово».
card-attach-done = 📎 Додано файлів: { $count }.
card-history-title = Історія { $number }:
card-history-created = створено
card-history-system = система
card-history-reason = Причина
lead-taken = 👍 Лід тепер ваш.
lead-taken-by-other = Цей лід уже взяв інший співробітник.
lead-later = ⏰ Добре, нагадаю передзвонити через { $hours } год.
lead-reject-ask = Чому відмова по { $number }? Напишіть причину:
lead-call-back-task = Передзвонити клієнту
tasks-empty = Відкритих завдань немає 👍
tasks-title = Ваші завдання: { $total } (стор. { $page } з { $pages })
task-overdue = ПРОСТРОЧЕНО
task-due = до
task-done = Завдання виконано
task-already-closed = Це завдання вже закрито.
find-ask = Введіть телефон, VIN, держномер або частину імені клієнта:
find-too-short = Закоротко — введіть щонайменше 3 символи:
find-nothing = Нікого не знайшов. Спробуйте інакше (телефон, VIN, держномер, ім’я) або натисніть «Скасувати».
find-results = Знайдено: { $count }
customer-welcome = Вітаю! Це бот компанії.
    Якщо ви наш клієнт — натисніть кнопку нижче й поділіться номером телефону: ми знайдемо ваші замовлення.
    Якщо ви співробітник — попросіть в адміністратора посилання-запрошення.
customer-share-button = 📱 Поділитися номером
customer-own-contact = Поділіться, будь ласка, своїм номером — кнопкою нижче.
customer-phone-invalid = Не вдалося розпізнати номер телефону. Спробуйте ще раз: /start
customer-thanks-new = Дякуємо, { $name }! Ми записали ваш номер і зв’яжемося з вами.
customer-thanks = Дякуємо, { $name }! Ми вас упізнали.
customer-again = З поверненням, { $name }!
customer-orders = Ваші відкриті замовлення:
customer-no-orders = Відкритих замовлень зараз немає — ми зв’яжемося з вами.

## imports
imports-entity-customers = Клієнти
imports-entity-vehicles = Автомобілі
imports-entity-cards = Картки
imports-which-entity = Що в цьому файлі?
imports-which-pipeline = До якої воронки завантажити картки?
imports-dry-run = Перевірка перед імпортом
imports-rows = рядків
imports-count-create = нових
imports-count-update = оновити
imports-count-skip = вже в базі, без змін
imports-count-reject = відхилено
imports-first-rejected = Перші відхилені рядки:
imports-row = Рядок
imports-same-as-row = як рядок
imports-nothing-to-do = Імпортувати нічого: усе вже в базі або відхилено.
imports-columns = Колонки
imports-run = ▶️ Запустити імпорт
imports-cancel = ✖️ Скасувати
imports-cancelled = Імпорт скасовано.
imports-already-started = Цей імпорт уже запущено або скасовано.
imports-queued = Імпорт у черзі…
imports-checking = Перевіряю рядки…
imports-progress = Завантажено
imports-done = Імпорт завершено
imports-failed = Імпорт зупинено
imports-error-report = Відхилені рядки з причинами. Виправте їх і надішліть цей файл — вони завантажаться.
imports-too-large = Файл завеликий для бота
imports-unreadable = Не вдалося прочитати файл
imports-mapping-problem = Колонки не підходять
imports-field-external-id = зовнішній ID
imports-field-name = ім’я
imports-field-kind = тип
imports-field-phone = телефон
imports-field-email = e-mail
imports-field-address = адреса
imports-field-tags = теги
imports-field-notes = примітка
imports-field-source = джерело
imports-field-vin = VIN
imports-field-plate = держномер
imports-field-make = марка
imports-field-model = модель
imports-field-year = рік
imports-field-owner-phone = телефон власника
imports-field-owner-external-id = зовнішній ID власника
imports-field-pipeline = воронка
imports-field-title = назва
imports-field-stage = етап
imports-field-customer-phone = телефон клієнта
imports-field-customer-external-id = зовнішній ID клієнта
imports-field-customer-name = ім’я клієнта
imports-reason-unreadable = файл пошкоджений або це не таблиця
imports-reason-empty = файл порожній
imports-reason-unknown-format = імпортувати можна лише .csv, .xlsx і .xls
imports-reason-too-many-rows = забагато рядків
imports-reason-file-missing = файлу більше немає
imports-reason-file-changed = файл змінився після перевірки
imports-reason-forbidden = немає прав
imports-reason-entity-required = невідомо, що у файлі
imports-reason-mapping-field-required = немає обов’язкової колонки
imports-reason-mapping-identity-required = потрібна колонка VIN, держномера або зовнішнього ID
imports-reason-mapping-unknown-column = такої колонки немає
imports-reason-mapping-unknown-field = невідоме поле
imports-reason-mapping-duplicate-field = дві колонки на одне поле
imports-reason-duplicate-in-file = повторює рядок вище
imports-reason-invalid-phone = це не номер телефону
imports-reason-invalid-email = це не адреса e-mail
imports-reason-invalid-kind = невідомий тип клієнта
imports-reason-name-required = немає імені
imports-reason-name-too-long = задовге ім’я
imports-reason-address-too-long = задовга адреса
imports-reason-ambiguous-match = підходить кільком клієнтам у базі
imports-reason-external-id-conflict = у знайденого запису інший зовнішній ID
imports-reason-vin-length = у VIN 17 символів
imports-reason-vin-characters = у VIN лише латинські літери й цифри
imports-reason-vin-forbidden-letters = у VIN не буває літер I, O і Q
imports-reason-vin-check-digit = не сходиться контрольна цифра VIN
imports-reason-plate-too-long = задовгий держномер
imports-reason-invalid-year = це не рік випуску
imports-reason-identity-required = немає ні VIN, ні держномера, ні зовнішнього ID
imports-reason-owner-not-found = власника немає в базі
imports-reason-duplicate-vin = цей VIN в іншого автомобіля
imports-reason-pipeline-required = не вказано воронку
imports-reason-unknown-pipeline = невідома воронка
imports-reason-unknown-stage = невідомий етап
imports-reason-customer-not-found = клієнта немає в базі
imports-reason-stage-unreachable = картку не можна перевести на цей етап із поточного
imports-reason-fields-missing = не заповнено поле, потрібне для переходу
imports-reason-field-invalid = неправильне значення
imports-reason-field-unknown-choice = немає такого варіанта
imports-reason-field-not-editable = це поле не можна змінювати на цьому етапі
imports-reason-field-unknown-field = у воронці немає такого поля
imports-reason-field-invalid-phone = це не номер телефону
imports-reason-error = непередбачена помилка

## Move guards (core.guards)
card-guard-refused = Не переведено: { $rule }
guard-field = спершу заповніть поле «{ $field }».
guard-balance-zero = спершу треба закрити баланс клієнта.
guard-unavailable = правило «{ $check }» зараз не перевірити (його модуль вимкнено).
guard-lines-decided = { $count ->
    [one] { $count } рядок ще чекає рішення клієнта.
    [few] { $count } рядки ще чекають рішення клієнта.
   *[other] { $count } рядків ще чекають рішення клієнта.
}
guard-lines-approved = { $count ->
    [one] потрібна згода клієнта хоча б на { $count } рядок.
    [few] потрібна згода клієнта хоча б на { $count } рядки.
   *[other] потрібна згода клієнта хоча б на { $count } рядків.
}
guard-lines-state = { $count ->
    [one] { $count } рядок ще не в стані «{ $state }».
    [few] { $count } рядки ще не в стані «{ $state }».
   *[other] { $count } рядків ще не в стані «{ $state }».
}
imports-reason-guard = не виконано правило переведення

## A conversation left half-way (flows/drafts.py)
draft-pending = Ви не завершили попередній крок. Продовжити його чи покинути?
draft-continue = ▶ Продовжити
draft-drop = ✖️ Покинути
draft-gone = Цей крок уже не відкритий.

## A card's lines and links (flows/render.py)
card-lines = Рядки
card-lines-total = Разом
card-lines-pending = чекають рішення: { $count }
card-link-hidden = пов’язана картка

## A quote the customer decides line by line (core.lines, flows/lines.py)
line-approve = ✅ Погоджую
line-decline = ❌ Відмовитися
line-quote-intro = Замовлення { $number }: погодьте, будь ласка, кожну позицію ({ $count }).
line-approved = ✅ Погоджено: { $line }
line-declined = ❌ Відмова: { $line }
line-changed = Ця позиція змінилася, ось вона зараз.
line-gone = Цієї позиції в замовленні вже немає.
card-quote-send = 📨 Надіслати клієнту на погодження
card-quote-sent = Надіслано клієнту: { $count }
line-error-customer-unreachable = Клієнт ще не запускав бота: надіслати нікуди.
line-error-nothing-to-decide = Немає рядків, що чекають рішення.
notify-line-decided = { $number }: клієнт { $decision } «{ $line }»
line-decision-approved = погодив
line-decision-declined = відмовився від

## Handing a card over (flows/cards.py)
card-assign = 👤 Передати
card-assign-ask = Кому передати { $number }?
card-assigned = Тепер у: { $name }.
