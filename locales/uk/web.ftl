## Веб-панель: загальний макет

web-nav-menu = Меню
web-nav-staff = Співробітники
web-nav-sandbox = Чат-пісочниця
web-nav-signed-in-as = Ви увійшли як { $name }
web-nav-logout = Вийти

web-lang-switch = Мова інтерфейсу
web-lang-ru = Русский
web-lang-uk = Українська
web-lang-en = English
web-lang-short-ru = RU
web-lang-short-uk = UA
web-lang-short-en = EN

## Вхід за паролем

web-login-title = Вхід
web-login-heading = Вхід до панелі
web-login-login = Логін
web-login-password = Пароль
web-login-submit = Увійти
web-login-failed = Неправильний логін або пароль.
web-login-locked = Забагато невдалих спроб входу. Спробуйте знову через { $minutes ->
        [one] { $minutes } хвилину
        [few] { $minutes } хвилини
       *[many] { $minutes } хвилин
    }.
web-login-telegram-hint = Немає пароля? Надішліть боту команду /web — він надішле одноразове посилання для входу.

## Вхід за одноразовим посиланням із бота

web-link-title = Вхід за посиланням
web-link-preview = Відкрийте це посилання в браузері, щоб увійти до панелі.
web-link-used = Це посилання вже використано: кожне посилання для входу спрацьовує лише один раз.
web-link-expired = Термін дії посилання минув.
web-link-unknown = Посилання не знайдено. Можливо, його скопійовано не повністю.
web-link-inactive = Ваш обліковий запис вимкнено. Зверніться до адміністратора.
web-link-again = Щоб отримати нове посилання, надішліть боту команду /web.
web-link-to-login = Перейти до входу

## Сторінки помилок

web-error-home = На головну
web-error-400-title = Неправильний запит
web-error-400-text = Не вдалося розібрати надіслані дані. Оновіть сторінку та спробуйте ще раз.
web-error-403-title = Доступ заборонено
web-error-403-text = Ця сторінка доступна лише адміністраторам.
web-error-404-title = Сторінку не знайдено
web-error-404-text = Такої сторінки немає. Перевірте адресу або поверніться на головну.
web-error-405-title = Дія недоступна
web-error-405-text = Цю сторінку не можна відкрити таким способом. Поверніться на головну та повторіть дію звідти.
web-error-500-title = Щось пішло не так
web-error-500-text = На сервері сталася помилка. Ми вже записали її в журнал. Спробуйте ще раз трохи згодом.
web-error-csrf-title = Форма застаріла
web-error-csrf-text = Не вдалося підтвердити надсилання форми — можливо, сторінку було відкрито надто давно. Оновіть сторінку та повторіть дію.
web-error-generic-title = Помилка
web-error-generic-text = Запит не виконано (код { $status }).

## Головна для співробітників без прав адміністратора

web-home-title = Головна
web-home-greeting = Вітаємо, { $name }!
web-home-roles = Ваші ролі
web-home-no-roles = Ролі ще не призначено.
web-home-bot-hint = Уся робота відбувається в Telegram-боті. Веб-панель потрібна адміністраторам.

## Співробітники та запрошення

web-staff-title = Співробітники
web-staff-list-heading = Усі співробітники ({ $count })
web-staff-col-name = Ім’я
web-staff-col-roles = Ролі
web-staff-col-phone = Телефон
web-staff-col-telegram = Telegram
web-staff-col-active = Статус
web-staff-col-actions = Дії
web-staff-you = (це ви)
web-staff-no-roles = немає ролей
web-staff-telegram-yes = Прив’язано
web-staff-telegram-no = Не прив’язано
web-staff-active = Активний
web-staff-inactive = Вимкнений
web-staff-deactivate = Вимкнути
web-staff-activate = Увімкнути
web-staff-activated = { $name }: обліковий запис знову активний.
web-staff-deactivated = { $name }: обліковий запис вимкнено. Увійти до панелі й користуватися ботом більше не можна.
web-staff-empty = Співробітників ще немає.

web-invite-heading = Запросити співробітника
web-invite-intro = Запрошення — одноразове посилання на бота. Співробітник відкриває його в Telegram і одразу отримує вибрану роль. Посилання діє { $hours ->
        [one] { $hours } годину
        [few] { $hours } години
       *[many] { $hours } годин
    }.
web-invite-role = Роль
web-invite-role-choose = Виберіть роль
web-invite-name = Ім’я (необов’язково)
web-invite-name-placeholder = Наприклад, Ірина Бондаренко
web-invite-submit = Створити запрошення
web-invites-open-heading = Відкриті запрошення
web-invites-empty = Відкритих запрошень немає.
web-invites-col-role = Роль
web-invites-col-name = Ім’я
web-invites-col-created-by = Створив
web-invites-col-expires = Діє до
web-invite-no-name = без імені
web-invite-revoke = Відкликати
web-invite-revoked = Запрошення відкликано: за цим посиланням більше не можна приєднатися.

web-invite-title = Запрошення
web-invite-ready-title = Запрошення готове
web-invite-back = До співробітників
web-invite-status = Стан
web-invite-status-open = Чекає на співробітника
web-invite-status-used = Використано
web-invite-status-closed = Минуло або відкликано
web-invite-link-label = Посилання для співробітника
web-invite-copy = Копіювати
web-invite-copied = Скопійовано
web-invite-open-telegram = Відкрити в Telegram
web-invite-no-bot = Ім’я бота не налаштовано (telegram.bot_username), тому готового посилання немає. Нехай співробітник надішле боту команду нижче.
web-invite-command-label = Команда для бота
web-invite-command-hint = У чаті-пісочниці виберіть персону нового співробітника й надішліть цю команду.
web-invite-open-sandbox = Відкрити чат-пісочницю
web-invite-once = Посилання одноразове: за ним приєднається лише одна людина. Ми показуємо його тільки зараз — скопіюйте та надішліть співробітнику.
web-invite-token-hidden = Посилання показується лише один раз, одразу після створення. Якщо воно загубилося, відкличте це запрошення та створіть нове.

## Помилки у формах

web-form-forbidden = Ця дія доступна лише адміністраторам.
web-form-role-required = Виберіть роль для нового співробітника.
web-form-role-unknown = Такої ролі немає. Оновіть сторінку та виберіть роль зі списку.
web-form-name-too-long = Ім’я задовге: не більше ніж { $max } символів.
web-form-invite-unknown = Запрошення не знайдено.
web-form-invite-closed = Це запрошення вже використано, воно минуло або його відкликано.
web-form-staff-unknown = Співробітника не знайдено.
web-form-self-deactivate = Не можна вимкнути власний обліковий запис.
web-form-bad-input = Форму заповнено неправильно. Оновіть сторінку та спробуйте ще раз.

## cards, customers, api keys

web-nav-cards = Картки
web-nav-customers = Клієнти
web-nav-apikeys = API-ключі
web-yes = Так
web-no = Ні
web-error-denied-title = Немає доступу
web-error-denied-text = Ваша роль не дозволяє відкрити цю сторінку або виконати цю дію. Якщо це потрібно для роботи, зверніться до адміністратора.

web-pager = Сторінки
web-pager-prev = Назад
web-pager-next = Далі
web-pager-page = Сторінка { $count } з { $max }

web-channel-bot = через бота
web-channel-web = через вебпанель
web-channel-api = через API
web-channel-import = імпорт
web-channel-system = автоматично

web-cards-title = Картки
web-cards-filter = Фільтр карток
web-cards-pipeline = Воронка
web-cards-pipeline-all = Усі воронки
web-cards-state = Показувати
web-cards-state-open = Лише відкриті
web-cards-state-all = Усі, разом із закритими
web-cards-filter-apply = Показати
web-cards-found = Знайдено карток: { $count }
web-cards-empty = Карток немає. Тут з’являться картки, до яких у вас є доступ.
web-cards-col-number = Номер
web-cards-col-title = Назва
web-cards-col-stage = Етап
web-cards-col-customer = Клієнт
web-cards-col-assignee = Виконавець

web-card-back = До всіх карток
web-card-untitled = Без назви
web-card-urgent = Терміново
web-card-pipeline = Воронка
web-card-owner = Відповідальний
web-card-deadline = Термін
web-card-created = Створено
web-card-system = Система
web-card-moves = Дії
web-card-no-moves = Зараз ви не можете перевести цю картку на інший етап.
web-card-reason = Причина
web-card-required-hint = Щоб перевести картку далі, заповніть: { $name }.
web-card-moved = Картку переведено на етап «{ $name }».
web-card-fields = Поля
web-card-read-only = лише перегляд
web-card-fields-save = Зберегти поля
web-card-fields-saved = Поля збережено.
web-card-no-changes = Ви нічого не змінили.
web-card-attachments = Вкладення ({ $count })
web-card-no-attachments = Вкладень поки немає.
web-card-comments = Коментарі ({ $count })
web-card-no-comments = Коментарів поки немає.
web-card-comment-label = Новий коментар
web-card-comment-add = Додати коментар
web-card-comment-added = Коментар додано.
web-card-history = Історія

web-card-error-changed = Поки ви переглядали картку, її змінив хтось інший. Ось свіжа версія — перевірте та повторіть дію, якщо вона ще потрібна.
web-card-error-transition = Цей перехід зараз недоступний: картка вже на іншому етапі. Ось її свіжа версія.
web-card-error-reason = Для цієї дії потрібно вказати причину.
web-card-error-fields-missing = Спочатку заповніть поля: { $name }.
web-card-error-fields-invalid = Деякі поля заповнено неправильно — їх позначено нижче.
web-card-error-empty-comment = Коментар порожній — напишіть текст.
web-card-error-forbidden = Ваша роль не дозволяє зробити це з цією карткою.

web-field-error-not-editable = Це поле не можна змінювати на цьому етапі або у вашій ролі.
web-field-error-unknown = Такого поля немає в цій воронці.
web-field-error-invalid = Значення не підходить для цього поля.
web-field-error-phone = Це не схоже на номер телефону.
web-field-error-choice = Виберіть значення зі списку.

web-attach-choose = Файл
web-attach-upload = Завантажити
web-attach-limit = Не більше { $max } МБ.
web-attach-added = Файл додано до картки.
web-attach-unnamed = файл без назви
web-attach-telegram-only = (лише в Telegram)
web-attach-kind-photo = Фото
web-attach-kind-video = Відео
web-attach-kind-document = Документ
web-attach-kind-voice = Голосове
web-attach-error-too-big = Файл завеликий: можна завантажити не більше { $max } МБ.
web-attach-error-no-file = Виберіть файл для завантаження.
web-attach-error-empty = Файл порожній.
web-attach-error-kind = Такий тип файлу не можна прикріпити.

web-customers-title = Клієнти
web-customers-search = Телефон, ім’я або компанія
web-customers-search-placeholder = Наприклад, 067 123 45 67 або Іваненко
web-customers-search-submit = Знайти
web-customers-found = Знайдено: { $count }
web-customers-recent = Нещодавно додані
web-customers-none-found = Нікого не знайшли. Перевірте номер або спробуйте частину імені.
web-customers-empty = Клієнтів поки немає.
web-customers-col-name = Ім’я
web-customers-col-phones = Телефони
web-customers-col-email = Ел. пошта
web-customers-col-tags = Мітки

web-customer-back = До пошуку клієнтів
web-customer-kind-person = Приватна особа
web-customer-kind-company = Компанія
web-customer-merged-badge = Об’єднано з іншим клієнтом
web-customer-addresses = Адреси
web-customer-companies = Компанії
web-customer-members = Співробітники компанії
web-customer-owner = Відповідальний
web-customer-source = Джерело
web-customer-balance = Баланс
web-customer-balance-hint = Баланс рахується за записами нижче; записи не змінюються — помилку виправляють новим записом.
web-customer-cards = Картки ({ $count })
web-customer-no-cards = Карток із цим клієнтом немає (або вони вам недоступні).
web-customer-vehicles = Автомобілі
web-customer-no-vehicles = Автомобілів немає.
web-customer-duplicates = Можливі дублікати
web-customer-duplicates-hint = Схоже, це може бути той самий клієнт. Перевірте та об’єднайте, якщо це так.
web-customer-no-duplicates = Схожих клієнтів не знайшли.
web-customer-duplicate-why = Збігається
web-duplicate-reason-phone = телефон
web-duplicate-reason-email = ел. пошта
web-duplicate-reason-name = схоже ім’я
web-customer-was-merged = Клієнта «{ $name }» було об’єднано з цим клієнтом.
web-customer-error-not-found = Клієнта не знайдено.
web-customer-error-merged = Цього клієнта вже об’єднано з іншим — зміни вносяться в картку основного клієнта.
web-customer-error-forbidden = Ваша роль не дозволяє зробити це з цим клієнтом.

web-ledger-col-date = Дата
web-ledger-col-kind = Вид
web-ledger-col-amount = Сума
web-ledger-col-note = Коментар
web-ledger-col-by = Хто вніс
web-ledger-empty = Записів поки немає.
web-ledger-amount = Сума, { $name }
web-ledger-submit = Додати запис
web-ledger-sign-hint = Додатна сума збільшує баланс клієнта (оплата, бонус), від’ємна — зменшує (нарахування за послугу).
web-ledger-posted = Запис додано, баланс перераховано.
web-ledger-kind-payment = Оплата
web-ledger-kind-charge = Нарахування
web-ledger-kind-bonus = Бонус
web-ledger-kind-correction = Коригування
web-ledger-error-amount = Введіть суму числом, наприклад 1500 або -250,50.
web-ledger-error-zero = Сума не може бути нульовою.
web-ledger-error-precision = Не більше двох знаків після коми.
web-ledger-error-too-large = Завелика сума.
web-ledger-error-kind = Виберіть вид запису.
web-ledger-error-currency = Валюту CRM налаштовано неправильно. Зверніться до адміністратора.

web-merge-title = Об’єднання клієнтів
web-merge-back = До клієнта
web-merge-button = Об’єднати…
web-merge-survivor = Залишається
web-merge-duplicate = Буде приєднано
web-merge-cards = Картки
web-merge-explain = Картки, автомобілі, записи балансу, вкладення, телефони та адреси клієнта «{ $name }» перейдуть до основного клієнта. Запис «{ $name }» залишиться в історії як об’єднаний. Скасувати об’єднання не можна.
web-merge-confirm = Об’єднати
web-merge-swap = Залишити іншого
web-merge-done = Клієнта «{ $name }» приєднано.
web-merge-error-self = Не можна об’єднати клієнта із самим собою.
web-merge-error-merged = Одного з клієнтів уже об’єднано з кимось іще. Оновіть сторінку.

web-apikeys-title = API-ключі
web-apikeys-intro = Ключ потрібен сайту чи лендингу, щоб надсилати заявки в CRM (POST /api/v1/leads). Кожне джерело має свій ключ; заявки потрапляють у вибрану воронку.
web-apikey-new = Новий ключ
web-apikey-source = Джерело
web-apikey-source-placeholder = Наприклад, site або landing-spring
web-apikey-pipeline = Воронка
web-apikey-create = Створити ключ
web-apikey-no-pipelines = Немає жодної активної воронки — спочатку завантажте пакет.
web-apikeys-list = Джерела ({ $count })
web-apikeys-empty = Ключів поки немає.
web-apikey-active = Діє
web-apikey-revoked-badge = Відкликано
web-apikey-created = Створено
web-apikey-last-used = Остання заявка
web-apikey-never-used = ще не було
web-apikey-revoke = Відкликати
web-apikey-revoked = Ключ джерела «{ $name }» відкликано: заявки з ним більше не приймаються.
web-apikey-already-revoked = Джерело «{ $name }» не має чинного ключа.
web-apikey-back = До API-ключів
web-apikey-ready-title = Ключ створено
web-apikey-endpoint = Адреса
web-apikey-key-label = Ключ
web-apikey-once = Ключ показується лише зараз: ми зберігаємо тільки його відбиток. Скопіюйте його та збережіть у налаштуваннях сайту. Якщо ключ загубиться — відкличте його та створіть новий.
web-apikey-hidden = Ключ показується лише один раз, одразу після створення. Якщо він загубився, відкличте його та створіть новий для того самого джерела.
web-apikey-example = Приклад запиту
web-apikey-copy-example = Копіювати приклад
web-apikey-example-hint = Заявці потрібні ім’я та телефон або ел. пошта. Повтор із тим самим Idempotency-Key не створить другої заявки.
web-apikey-example-name = Іван Петренко
web-apikey-error-source-required = Вкажіть назву джерела.
web-apikey-error-source-too-long = Назва джерела задовга: не більше { $max } символів.
web-apikey-error-pipeline = Такої воронки немає. Виберіть воронку зі списку.
web-apikey-error-source-exists = Це джерело вже має чинний ключ. Щоб видати новий, спочатку відкличте старий.
web-size-b = { $count } Б
web-size-kb = { $count } КБ
web-size-mb = { $count } МБ

## Dashboard (webadmin/dashboard.py)
web-nav-dashboard = Зведення
web-dashboard-title = Зведення
web-dashboard-empty = Для ваших ролей тут поки нічого немає.
web-widget-cards_by_stage = Відкриті картки за етапами
web-widget-count = Карток
web-widget-none = Відкритих карток немає.

## Permission actions, by key with dots as dashes (core.modules)
action-card-view = Перегляд карток
action-card-create = Створення карток
action-card-edit = Зміна полів карток
action-card-move = Переведення карток етапами
action-card-comment = Коментарі до карток
action-card-attach = Файли в картках
action-card-assign = Перепризначення карток
action-customer-view = Перегляд клієнтів
action-customer-create = Створення клієнтів
action-customer-edit = Зміна клієнтів
action-customer-merge = Об’єднання дублікатів клієнтів
action-ledger-post = Проведення за балансом клієнта
action-vehicle-view = Перегляд автомобілів
action-vehicle-edit = Зміна автомобілів
action-task-view = Перегляд завдань
action-task-create = Створення завдань
action-task-close = Закриття завдань
action-line-edit = Додавання і зміна рядків картки
action-line-decide = Погодження рядків за клієнта
action-reference-edit = Зміна довідників
action-report-view = Зведення та звіти
action-staff-manage = Запрошення співробітників і керування ними
action-import-run = Імпорт даних
action-api_key-manage = Керування API-ключами
action-web-login = Вхід до веб-панелі
action-profile-edit = Зміна своєї мови
action-help-view = Довідка

## Move guards (core.guards)
web-card-error-guard = Картку не переведено: { $rule }

## A card's lines and links on its page (webadmin/cards.py)
web-card-lines = Рядки
web-line-title = Позиція
web-line-quantity = К-сть
web-line-price = Ціна
web-line-sum = Сума
web-line-decision = Клієнт
web-line-decision-pending = чекає
web-line-decision-approved = погодив
web-line-decision-declined = відмовився
web-line-total = Разом без відхилених рядків
web-line-pending-count = чекають рішення: { $count }
web-card-link-hidden = пов’язана картка
