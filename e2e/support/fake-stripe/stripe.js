// A fake Stripe.js for Playwright, served at https://js.stripe.com/* by page.route (see ../fake-stripe.ts).
// It implements what Tollgate's checkout calls (Stripe(pk), elements({clientSecret}), create('payment'),
// mount, confirmPayment({elements, redirect:'if_required'}), handleNextAction, retrievePaymentIntent) and
// talks to https://api.stripe.com with the publishable key, which the test routes to the Stripe double.
// Instead of card fields, the Payment Element shows test-only radio buttons: Visa, declined, 3-D Secure.
;(function () {
  'use strict'
  var api = 'https://api.stripe.com'
  var cards = {
    visa: { number: '4242424242424242', label: 'Visa 4242 (succeeds)' },
    declined: { number: '4000000000000002', label: 'Declined 0002' },
    threeDSecure: { number: '4000002760003184', label: '3-D Secure 3184' },
  }

  function encode(params) {
    var form = new URLSearchParams()
    Object.keys(params).forEach(function (name) {
      if (params[name] !== undefined) form.append(name, String(params[name]))
    })
    return form.toString()
  }

  // One call to the Stripe API, the way Stripe.js makes it: form-encoded, key as a parameter.
  function request(method, path, params) {
    var query = method === 'GET' ? '?' + encode(params) : ''
    var init = { method: method }
    if (method === 'POST') {
      init.headers = { 'content-type': 'application/x-www-form-urlencoded' }
      init.body = encode(params)
    }
    return fetch(api + path + query, init).then(function (response) {
      return response.json().then(function (body) {
        return { status: response.status, body: body }
      })
    })
  }

  function intentIdOf(clientSecret) {
    var at = String(clientSecret).indexOf('_secret_')
    if (at <= 0) throw new Error('Fake Stripe.js: invalid client secret')
    return clientSecret.slice(0, at)
  }

  function toError(body) {
    var error = (body && body.error) || { type: 'api_error', message: 'An unexpected error occurred.' }
    return { error: error }
  }

  function createStripe(publishableKey) {
    if (typeof publishableKey !== 'string' || !/^pk_(test|live)_/.test(publishableKey)) {
      throw new Error('Fake Stripe.js: Stripe() needs a publishable key (pk_…)')
    }
    var key = publishableKey

    function retrieve(clientSecret) {
      return request('GET', '/v1/payment_intents/' + intentIdOf(clientSecret), { key: key, client_secret: clientSecret })
    }

    // What Stripe.js does with a `requires_action` intent: its 3-D Secure modal, then the intent's new state.
    function runNextAction(intent, clientSecret) {
      return authenticate(intent)
        .then(function (outcome) {
          return request('POST', '/_double/authenticate/' + intent.id, { client_secret: clientSecret, outcome: outcome })
        })
        .then(function () {
          return retrieve(clientSecret)
        })
        .then(function (result) {
          if (result.status >= 400) return toError(result.body)
          return settle(result.body)
        })
    }

    function settle(intent) {
      if (intent.status === 'requires_payment_method' && intent.last_payment_error) {
        var failure = intent.last_payment_error
        return {
          error: {
            type: failure.type || 'invalid_request_error',
            code: failure.code,
            decline_code: failure.decline_code,
            message: failure.message,
            payment_intent: intent,
          },
        }
      }
      return { paymentIntent: intent }
    }

    function confirmWith(clientSecret, card) {
      var id = intentIdOf(clientSecret)
      return request('POST', '/v1/payment_intents/' + id + '/confirm', {
        key: key,
        client_secret: clientSecret,
        use_stripe_sdk: 'true',
        'payment_method_data[type]': 'card',
        'payment_method_data[card][number]': card.number,
        'payment_method_data[card][exp_month]': '12',
        'payment_method_data[card][exp_year]': '2034',
        'payment_method_data[card][cvc]': '123',
      }).then(function (result) {
        if (result.status >= 400) return toError(result.body)
        var intent = result.body
        if (intent.status === 'requires_action') return runNextAction(intent, clientSecret)
        return settle(intent)
      })
    }

    function elements(options) {
      var clientSecret = options && options.clientSecret
      var created = {}
      var group = {
        _clientSecret: clientSecret,
        create: function (type, elementOptions) {
          if (type !== 'payment') throw new Error('Fake Stripe.js: only the Payment Element is implemented, not ' + type)
          if (created[type]) throw new Error('Fake Stripe.js: Can only create one Element of type ' + type)
          created[type] = paymentElement(elementOptions)
          return created[type]
        },
        getElement: function (type) {
          return created[type] || null
        },
        update: function () {},
        fetchUpdates: function () {
          return Promise.resolve({})
        },
        submit: function () {
          var element = created.payment
          if (!element || !element._card())
            return Promise.resolve({
              error: { type: 'validation_error', code: 'incomplete_number', message: 'Your card number is incomplete.' },
            })
          return Promise.resolve({})
        },
      }
      return group
    }

    return {
      elements: elements,
      confirmPayment: function (parameters) {
        var group = parameters && parameters.elements
        var clientSecret = (parameters && parameters.clientSecret) || (group && group._clientSecret)
        if (!group || !clientSecret)
          return Promise.reject(new Error('Fake Stripe.js: confirmPayment needs elements created with a clientSecret'))
        if (parameters.redirect !== 'if_required' && !(parameters.confirmParams && parameters.confirmParams.return_url)) {
          return Promise.reject(new Error('Fake Stripe.js: confirmPayment needs confirmParams.return_url unless redirect is "if_required"'))
        }
        var element = group.getElement('payment')
        var card = element && element._card()
        if (!card)
          return Promise.resolve({
            error: { type: 'validation_error', code: 'incomplete_number', message: 'Your card number is incomplete.' },
          })
        return confirmWith(clientSecret, card)
      },
      handleNextAction: function (parameters) {
        var clientSecret = parameters && parameters.clientSecret
        return retrieve(clientSecret).then(function (result) {
          if (result.status >= 400) return toError(result.body)
          return result.body.status === 'requires_action' ? runNextAction(result.body, clientSecret) : settle(result.body)
        })
      },
      retrievePaymentIntent: function (clientSecret) {
        return retrieve(clientSecret).then(function (result) {
          return result.status >= 400 ? toError(result.body) : { paymentIntent: result.body }
        })
      },
      // Present so @stripe/react-stripe-js accepts this object; the checkout never calls them.
      confirmCardPayment: unsupported('confirmCardPayment'),
      createPaymentMethod: unsupported('createPaymentMethod'),
      createToken: unsupported('createToken'),
      registerAppInfo: function () {},
      _registerWrapper: function () {},
    }
  }

  function unsupported(name) {
    return function () {
      return Promise.reject(new Error('Fake Stripe.js: ' + name + ' is not implemented'))
    }
  }

  // The Payment Element: real Stripe renders card fields in an iframe; the fake renders test-card choices.
  function paymentElement() {
    var listeners = {}
    var root = null
    var chosen = null
    function emit(event, payload) {
      ;(listeners[event] || []).slice().forEach(function (listener) {
        listener(payload)
      })
    }
    var element = {
      _card: function () {
        return chosen ? cards[chosen] : null
      },
      mount: function (target) {
        var container = typeof target === 'string' ? document.querySelector(target) : target
        if (!container) throw new Error('Fake Stripe.js: mount target not found')
        root = document.createElement('fieldset')
        root.setAttribute('data-testid', 'fake-payment-element')
        var legend = document.createElement('legend')
        legend.textContent = 'Test card (fake Stripe.js)'
        root.appendChild(legend)
        Object.keys(cards).forEach(function (name) {
          var label = document.createElement('label')
          label.style.display = 'block'
          var input = document.createElement('input')
          input.type = 'radio'
          input.name = 'fake-stripe-card'
          input.value = name
          input.setAttribute('data-testid', 'fake-card-' + name)
          input.addEventListener('change', function () {
            chosen = name
            emit('change', { elementType: 'payment', empty: false, complete: true, collapsed: false, value: { type: 'card' } })
          })
          label.appendChild(input)
          label.appendChild(document.createTextNode(' ' + cards[name].label))
          root.appendChild(label)
        })
        container.appendChild(root)
        setTimeout(function () {
          emit('ready', { elementType: 'payment' })
        }, 0)
      },
      on: function (event, listener) {
        ;(listeners[event] = listeners[event] || []).push(listener)
        return element
      },
      off: function (event, listener) {
        listeners[event] = (listeners[event] || []).filter(function (l) {
          return l !== listener
        })
        return element
      },
      update: function () {},
      focus: function () {},
      blur: function () {},
      clear: function () {
        chosen = null
      },
      unmount: function () {
        if (root && root.parentNode) root.parentNode.removeChild(root)
      },
      destroy: function () {
        element.unmount()
        listeners = {}
      },
    }
    return element
  }

  // Stripe.js's 3-D Secure modal: the bank's challenge, answered with a button.
  function authenticate(intent) {
    return new Promise(function (resolve) {
      var dialog = document.createElement('div')
      dialog.setAttribute('role', 'dialog')
      dialog.setAttribute('aria-label', '3D Secure test')
      dialog.setAttribute('data-testid', 'fake-3ds')
      dialog.style.position = 'fixed'
      dialog.style.inset = '20% 10% auto 10%'
      dialog.style.background = '#fff'
      dialog.style.border = '1px solid #888'
      dialog.style.padding = '16px'
      dialog.style.zIndex = '2147483647'
      var title = document.createElement('p')
      title.textContent = '3D Secure 2 test page: ' + intent.amount + ' ' + intent.currency
      dialog.appendChild(title)
      ;[
        ['complete', 'Complete authentication'],
        ['fail', 'Fail authentication'],
      ].forEach(function (choice) {
        var button = document.createElement('button')
        button.type = 'button'
        button.textContent = choice[1]
        button.setAttribute('data-testid', 'fake-3ds-' + choice[0])
        button.addEventListener('click', function () {
          dialog.parentNode.removeChild(dialog)
          resolve(choice[0])
        })
        dialog.appendChild(button)
      })
      document.body.appendChild(dialog)
    })
  }

  createStripe.version = 'endive'
  window.Stripe = createStripe
})()
