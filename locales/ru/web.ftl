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

## cards, customers, api keys

web-nav-cards = Карточки
web-nav-customers = Клиенты
web-nav-apikeys = API-ключи
web-yes = Да
web-no = Нет
web-error-denied-title = Нет доступа
web-error-denied-text = Ваша роль не позволяет открыть эту страницу или выполнить это действие. Если это нужно для работы, обратитесь к администратору.

web-pager = Страницы
web-pager-prev = Назад
web-pager-next = Дальше
web-pager-page = Страница { $count } из { $max }

web-channel-bot = через бота
web-channel-web = через веб-панель
web-channel-api = через API
web-channel-import = импорт
web-channel-system = автоматически

web-cards-title = Карточки
web-cards-filter = Фильтр карточек
web-cards-pipeline = Воронка
web-cards-pipeline-all = Все воронки
web-cards-state = Показывать
web-cards-state-open = Только открытые
web-cards-state-all = Все, включая закрытые
web-cards-filter-apply = Показать
web-cards-found = Найдено карточек: { $count }
web-cards-empty = Карточек нет. Здесь появятся карточки, которые вам доступны.
web-cards-col-number = Номер
web-cards-col-title = Название
web-cards-col-stage = Этап
web-cards-col-customer = Клиент
web-cards-col-assignee = Исполнитель

web-card-back = Ко всем карточкам
web-card-untitled = Без названия
web-card-urgent = Срочно
web-card-pipeline = Воронка
web-card-owner = Ответственный
web-card-deadline = Срок
web-card-created = Создана
web-card-system = Система
web-card-moves = Действия
web-card-no-moves = Сейчас вы не можете перевести эту карточку на другой этап.
web-card-reason = Причина
web-card-required-hint = Чтобы перевести карточку дальше, заполните: { $name }.
web-card-moved = Карточка переведена на этап «{ $name }».
web-card-fields = Поля
web-card-read-only = только просмотр
web-card-fields-save = Сохранить поля
web-card-fields-saved = Поля сохранены.
web-card-no-changes = Вы ничего не изменили.
web-card-attachments = Вложения ({ $count })
web-card-no-attachments = Вложений пока нет.
web-card-comments = Комментарии ({ $count })
web-card-no-comments = Комментариев пока нет.
web-card-comment-label = Новый комментарий
web-card-comment-add = Добавить комментарий
web-card-comment-added = Комментарий добавлен.
web-card-history = История

web-card-error-changed = Пока вы смотрели на карточку, её изменил кто-то другой. Вот свежая версия — проверьте и повторите действие, если оно ещё нужно.
web-card-error-transition = Этот переход сейчас недоступен: карточка уже на другом этапе. Вот её свежая версия.
web-card-error-reason = Для этого действия нужно указать причину.
web-card-error-fields-missing = Сначала заполните поля: { $name }.
web-card-error-fields-invalid = Некоторые поля заполнены неверно — они отмечены ниже.
web-card-error-empty-comment = Комментарий пустой — напишите текст.
web-card-error-forbidden = Ваша роль не позволяет сделать это с этой карточкой.

web-field-error-not-editable = Это поле нельзя менять на этом этапе или в вашей роли.
web-field-error-unknown = Такого поля нет в этой воронке.
web-field-error-invalid = Значение не подходит для этого поля.
web-field-error-phone = Это не похоже на номер телефона.
web-field-error-choice = Выберите значение из списка.

web-attach-choose = Файл
web-attach-upload = Загрузить
web-attach-limit = Не больше { $max } МБ.
web-attach-added = Файл добавлен к карточке.
web-attach-unnamed = файл без имени
web-attach-telegram-only = (только в Telegram)
web-attach-kind-photo = Фото
web-attach-kind-video = Видео
web-attach-kind-document = Документ
web-attach-kind-voice = Голосовое
web-attach-error-too-big = Файл слишком большой: можно загрузить не больше { $max } МБ.
web-attach-error-no-file = Выберите файл для загрузки.
web-attach-error-empty = Файл пустой.
web-attach-error-kind = Такой тип файла нельзя прикрепить.

web-customers-title = Клиенты
web-customers-search = Телефон, имя или компания
web-customers-search-placeholder = Например, 067 123 45 67 или Иванов
web-customers-search-submit = Найти
web-customers-found = Найдено: { $count }
web-customers-recent = Недавно добавленные
web-customers-none-found = Никого не нашли. Проверьте номер или попробуйте часть имени.
web-customers-empty = Клиентов пока нет.
web-customers-col-name = Имя
web-customers-col-phones = Телефоны
web-customers-col-email = Эл. почта
web-customers-col-tags = Метки

web-customer-back = К поиску клиентов
web-customer-kind-person = Частное лицо
web-customer-kind-company = Компания
web-customer-merged-badge = Объединён с другим клиентом
web-customer-addresses = Адреса
web-customer-companies = Компании
web-customer-members = Сотрудники компании
web-customer-owner = Ответственный
web-customer-source = Источник
web-customer-balance = Баланс
web-customer-balance-hint = Баланс считается по записям ниже; записи не меняются — ошибку исправляют новой записью.
web-customer-cards = Карточки ({ $count })
web-customer-no-cards = Карточек с этим клиентом нет (или они вам недоступны).
web-customer-vehicles = Автомобили
web-customer-no-vehicles = Автомобилей нет.
web-customer-duplicates = Возможные дубликаты
web-customer-duplicates-hint = Похоже, это может быть тот же клиент. Проверьте и объедините, если это так.
web-customer-no-duplicates = Похожих клиентов не нашли.
web-customer-duplicate-why = Совпадает
web-duplicate-reason-phone = телефон
web-duplicate-reason-email = эл. почта
web-duplicate-reason-name = похожее имя
web-customer-was-merged = Клиент «{ $name }» был объединён с этим клиентом.
web-customer-error-not-found = Клиент не найден.
web-customer-error-merged = Этот клиент уже объединён с другим — изменения вносятся в карточку основного клиента.
web-customer-error-forbidden = Ваша роль не позволяет сделать это с этим клиентом.

web-ledger-col-date = Дата
web-ledger-col-kind = Вид
web-ledger-col-amount = Сумма
web-ledger-col-note = Комментарий
web-ledger-col-by = Кто внёс
web-ledger-empty = Записей пока нет.
web-ledger-amount = Сумма, { $name }
web-ledger-submit = Добавить запись
web-ledger-sign-hint = Положительная сумма увеличивает баланс клиента (оплата, бонус), отрицательная — уменьшает (начисление за услугу).
web-ledger-posted = Запись добавлена, баланс пересчитан.
web-ledger-kind-payment = Оплата
web-ledger-kind-charge = Начисление
web-ledger-kind-bonus = Бонус
web-ledger-kind-correction = Корректировка
web-ledger-error-amount = Введите сумму числом, например 1500 или -250,50.
web-ledger-error-zero = Сумма не может быть нулевой.
web-ledger-error-precision = Не больше двух знаков после запятой.
web-ledger-error-too-large = Слишком большая сумма.
web-ledger-error-kind = Выберите вид записи.
web-ledger-error-currency = Валюта CRM настроена неверно. Обратитесь к администратору.

web-merge-title = Объединение клиентов
web-merge-back = К клиенту
web-merge-button = Объединить…
web-merge-survivor = Остаётся
web-merge-duplicate = Будет присоединён
web-merge-cards = Карточки
web-merge-explain = Карточки, автомобили, записи баланса, вложения, телефоны и адреса клиента «{ $name }» перейдут к основному клиенту. Запись «{ $name }» останется в истории как объединённая. Отменить объединение нельзя.
web-merge-confirm = Объединить
web-merge-swap = Оставить другого
web-merge-done = Клиент «{ $name }» присоединён.
web-merge-error-self = Нельзя объединить клиента с самим собой.
web-merge-error-merged = Один из клиентов уже объединён с кем-то ещё. Обновите страницу.

web-apikeys-title = API-ключи
web-apikeys-intro = Ключ нужен сайту или лендингу, чтобы отправлять заявки в CRM (POST /api/v1/leads). У каждого источника свой ключ; заявки попадают в выбранную воронку.
web-apikey-new = Новый ключ
web-apikey-source = Источник
web-apikey-source-placeholder = Например, site или landing-spring
web-apikey-pipeline = Воронка
web-apikey-create = Создать ключ
web-apikey-no-pipelines = Нет ни одной активной воронки — сначала загрузите пакет.
web-apikeys-list = Источники ({ $count })
web-apikeys-empty = Ключей пока нет.
web-apikey-active = Действует
web-apikey-revoked-badge = Отозван
web-apikey-created = Создан
web-apikey-last-used = Последняя заявка
web-apikey-never-used = ещё не было
web-apikey-revoke = Отозвать
web-apikey-revoked = Ключ источника «{ $name }» отозван: заявки с ним больше не принимаются.
web-apikey-already-revoked = У источника «{ $name }» нет действующего ключа.
web-apikey-back = К API-ключам
web-apikey-ready-title = Ключ создан
web-apikey-endpoint = Адрес
web-apikey-key-label = Ключ
web-apikey-once = Ключ показывается только сейчас: мы храним лишь его отпечаток. Скопируйте его и сохраните в настройках сайта. Если ключ потеряется — отзовите его и создайте новый.
web-apikey-hidden = Ключ показывается только один раз, сразу после создания. Если он потерялся, отзовите его и создайте новый для того же источника.
web-apikey-example = Пример запроса
web-apikey-copy-example = Копировать пример
web-apikey-example-hint = Заявке нужно имя и телефон или эл. почта. Повтор с тем же Idempotency-Key не создаст вторую заявку.
web-apikey-example-name = Иван Петренко
web-apikey-error-source-required = Укажите название источника.
web-apikey-error-source-too-long = Название источника слишком длинное: не больше { $max } символов.
web-apikey-error-pipeline = Такой воронки нет. Выберите воронку из списка.
web-apikey-error-source-exists = У этого источника уже есть действующий ключ. Чтобы выдать новый, сначала отзовите старый.
web-size-b = { $count } Б
web-size-kb = { $count } КБ
web-size-mb = { $count } МБ

## Dashboard (webadmin/dashboard.py)
web-nav-dashboard = Сводка
web-dashboard-title = Сводка
web-dashboard-empty = Для ваших ролей здесь пока ничего нет.
web-widget-cards_by_stage = Открытые карточки по этапам
web-widget-count = Карточек
web-widget-none = Открытых карточек нет.

## Permission actions, by key with dots as dashes (core.modules)
action-card-view = Просмотр карточек
action-card-create = Создание карточек
action-card-edit = Изменение полей карточек
action-card-move = Перевод карточек по этапам
action-card-comment = Комментарии к карточкам
action-card-attach = Файлы в карточках
action-card-assign = Переназначение карточек
action-customer-view = Просмотр клиентов
action-customer-create = Создание клиентов
action-customer-edit = Изменение клиентов
action-customer-merge = Объединение дублей клиентов
action-ledger-post = Проводки по балансу клиента
action-vehicle-view = Просмотр автомобилей
action-vehicle-edit = Изменение автомобилей
action-task-view = Просмотр задач
action-task-create = Создание задач
action-task-close = Закрытие задач
action-line-edit = Добавление и изменение строк карточки
action-line-decide = Согласование строк за клиента
action-reference-edit = Изменение справочников
action-report-view = Сводка и отчёты
action-staff-manage = Приглашение сотрудников и управление ими
action-import-run = Импорт данных
action-api_key-manage = Управление API-ключами
action-web-login = Вход в веб-панель
action-profile-edit = Смена своего языка
action-help-view = Справка

## Move guards (core.guards)
web-card-error-guard = Карточка не переведена: { $rule }

## A card's lines and links on its page (webadmin/cards.py)
web-card-lines = Строки
web-line-title = Позиция
web-line-quantity = Кол-во
web-line-price = Цена
web-line-sum = Сумма
web-line-decision = Клиент
web-line-decision-pending = ждёт
web-line-decision-approved = согласовал
web-line-decision-declined = отказался
web-line-total = Итого без отклонённых строк
web-line-pending-count = ждут решения: { $count }
web-card-link-hidden = связанная карточка
