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
