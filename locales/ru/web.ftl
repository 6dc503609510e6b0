## Веб-панель: общий макет

web-nav-menu = Меню
web-nav-staff = Сотрудники
web-nav-sandbox = Чат-песочница
web-nav-signed-in-as = Вы вошли как { $name }
web-nav-logout = Выйти

web-lang-switch = Язык интерфейса
web-lang-ru = Русский
web-lang-uk = Українська
web-lang-en = English
web-lang-short-ru = RU
web-lang-short-uk = UA
web-lang-short-en = EN

## Вход по паролю

web-login-title = Вход
web-login-heading = Вход в панель
web-login-login = Логин
web-login-password = Пароль
web-login-submit = Войти
web-login-failed = Неверный логин или пароль.
web-login-locked = Слишком много неудачных попыток входа. Попробуйте снова через { $minutes ->
        [one] { $minutes } минуту
        [few] { $minutes } минуты
       *[many] { $minutes } минут
    }.
web-login-telegram-hint = Нет пароля? Отправьте боту команду /web — он пришлёт одноразовую ссылку для входа.

## Вход по одноразовой ссылке из бота

web-link-title = Вход по ссылке
web-link-preview = Откройте эту ссылку в браузере, чтобы войти в панель.
web-link-used = Эта ссылка уже использована: каждая ссылка для входа срабатывает только один раз.
web-link-expired = Срок действия ссылки истёк.
web-link-unknown = Ссылка не найдена. Возможно, она скопирована не полностью.
web-link-inactive = Ваша учётная запись отключена. Обратитесь к администратору.
web-link-again = Чтобы получить новую ссылку, отправьте боту команду /web.
web-link-to-login = Перейти ко входу

## Страницы ошибок

web-error-home = На главную
web-error-400-title = Неверный запрос
web-error-400-text = Не удалось разобрать отправленные данные. Обновите страницу и попробуйте ещё раз.
web-error-403-title = Доступ запрещён
web-error-403-text = Эта страница доступна только администраторам.
web-error-404-title = Страница не найдена
web-error-404-text = Такой страницы нет. Проверьте адрес или вернитесь на главную.
web-error-405-title = Действие недоступно
web-error-405-text = Эту страницу нельзя открыть таким способом. Вернитесь на главную и повторите действие оттуда.
web-error-500-title = Что-то пошло не так
web-error-500-text = На сервере произошла ошибка. Мы уже записали её в журнал. Попробуйте ещё раз чуть позже.
web-error-csrf-title = Форма устарела
web-error-csrf-text = Не удалось подтвердить отправку формы — возможно, страница была открыта слишком давно. Обновите страницу и повторите действие.
web-error-generic-title = Ошибка
web-error-generic-text = Запрос не выполнен (код { $status }).

## Главная для сотрудников без прав администратора

web-home-title = Главная
web-home-greeting = Здравствуйте, { $name }!
web-home-roles = Ваши роли
web-home-no-roles = Роли пока не назначены.
web-home-bot-hint = Вся работа идёт в Telegram-боте. Веб-панель нужна администраторам.

## Сотрудники и приглашения

web-staff-title = Сотрудники
web-staff-list-heading = Все сотрудники ({ $count })
web-staff-col-name = Имя
web-staff-col-roles = Роли
web-staff-col-phone = Телефон
web-staff-col-telegram = Telegram
web-staff-col-active = Статус
web-staff-col-actions = Действия
web-staff-you = (это вы)
web-staff-no-roles = нет ролей
web-staff-telegram-yes = Привязан
web-staff-telegram-no = Не привязан
web-staff-active = Активен
web-staff-inactive = Отключён
web-staff-deactivate = Отключить
web-staff-activate = Включить
web-staff-activated = { $name }: учётная запись снова активна.
web-staff-deactivated = { $name }: учётная запись отключена. Войти в панель и пользоваться ботом больше нельзя.
web-staff-empty = Сотрудников пока нет.

web-invite-heading = Пригласить сотрудника
web-invite-intro = Приглашение — одноразовая ссылка на бота. Сотрудник открывает её в Telegram и сразу получает выбранную роль. Ссылка действует { $hours ->
        [one] { $hours } час
        [few] { $hours } часа
       *[many] { $hours } часов
    }.
web-invite-role = Роль
web-invite-role-choose = Выберите роль
web-invite-name = Имя (необязательно)
web-invite-name-placeholder = Например, Ирина Бондаренко
web-invite-submit = Создать приглашение
web-invites-open-heading = Открытые приглашения
web-invites-empty = Открытых приглашений нет.
web-invites-col-role = Роль
web-invites-col-name = Имя
web-invites-col-created-by = Создал
web-invites-col-expires = Действует до
web-invite-no-name = без имени
web-invite-revoke = Отозвать
web-invite-revoked = Приглашение отозвано: по этой ссылке больше нельзя присоединиться.

web-invite-title = Приглашение
web-invite-ready-title = Приглашение готово
web-invite-back = К сотрудникам
web-invite-status = Состояние
web-invite-status-open = Ждёт сотрудника
web-invite-status-used = Использовано
web-invite-status-closed = Истекло или отозвано
web-invite-link-label = Ссылка для сотрудника
web-invite-copy = Копировать
web-invite-copied = Скопировано
web-invite-open-telegram = Открыть в Telegram
web-invite-no-bot = Имя бота не настроено (telegram.bot_username), поэтому готовой ссылки нет. Пусть сотрудник отправит боту команду ниже.
web-invite-command-label = Команда для бота
web-invite-command-hint = В чате-песочнице выберите персону нового сотрудника и отправьте эту команду.
web-invite-open-sandbox = Открыть чат-песочницу
web-invite-once = Ссылка одноразовая: по ней присоединится только один человек. Мы показываем её только сейчас — скопируйте и отправьте сотруднику.
web-invite-token-hidden = Ссылка показывается только один раз, сразу после создания. Если она потерялась, отзовите это приглашение и создайте новое.

## Ошибки в формах

web-form-forbidden = Это действие доступно только администраторам.
web-form-role-required = Выберите роль для нового сотрудника.
web-form-role-unknown = Такой роли нет. Обновите страницу и выберите роль из списка.
web-form-name-too-long = Имя слишком длинное: не больше { $max } символов.
web-form-invite-unknown = Приглашение не найдено.
web-form-invite-closed = Это приглашение уже использовано, истекло или отозвано.
web-form-staff-unknown = Сотрудник не найден.
web-form-self-deactivate = Нельзя отключить собственную учётную запись.
web-form-bad-input = Форма заполнена неверно. Обновите страницу и попробуйте ещё раз.
